import Foundation
import Testing

/// RFC 4180: fields split on commas, quoted fields may hold commas, quotes ("") and newlines.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, afterQuote = false
    var chars = Array(text).makeIterator()
    while let c = chars.next() {
        if quoted {
            if c == "\"" { quoted = false; afterQuote = true } else { field.append(c) }
            continue
        }
        switch c {
        case "\"" where afterQuote: field.append("\""); quoted = true; afterQuote = false
        case "\"" where field.isEmpty: quoted = true
        case ",": row.append(field); field = ""; afterQuote = false
        case "\n": row.append(field); rows.append(row); row = []; field = ""; afterQuote = false
        default: field.append(c); afterQuote = false
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// A JSON value as the text a CSV cell holds: nested objects as parent_child keys.
func flatJSON(_ o: [String: Any], _ prefix: String = "") -> [String: Any] {
    var out: [String: Any] = [:]
    for (k, v) in o {
        let key = prefix.isEmpty ? k : prefix + "_" + k
        if let n = v as? [String: Any] { out.merge(flatJSON(n, key)) { a, _ in a } } else { out[key] = v }
    }
    return out
}

/// `--format csv` and `--format json` of the list commands carry the same rows, the CSV header
/// names JSON keys, and each cell is the JSON value bare (numbers in the JSON's units, no "GiB",
/// "GB/s" or "$"), parsed back by a standard CSV reading.
@Test func csvAndJSONCarryTheSameRowsAndKeys() throws {
    let db = tempDB()
    _ = try sf(["db", "seed"], db: db)
    for cmd in [["model", "list"], ["gpu", "list"], ["price", "list"], ["price", "list", "--gpu", "h100-sxm"],
                ["estimate", "--model", "llama-3.1-8b", "--gpu", "l4", "--context", "2048,8192", "--batch", "1,4"]] {
        let j = try sf(cmd + ["--format", "json"], db: db), c = try sf(cmd + ["--format", "csv"], db: db)
        #expect(j.code == 0 && c.code == 0, "\(cmd)")
        let parsed = try JSONSerialization.jsonObject(with: Data(j.out.utf8))
        let objects = ((parsed as? [[String: Any]]) ?? [parsed as? [String: Any] ?? [:]]).map { flatJSON($0) }
        let table = parseCSV(c.out)
        guard let header = table.first else { Issue.record("\(cmd): no CSV"); continue }
        let rows = table.dropFirst()
        #expect(rows.count == objects.count && !objects.isEmpty, "\(cmd): \(rows.count) CSV rows, \(objects.count) JSON")
        #expect(rows.allSatisfy { $0.count == header.count }, "\(cmd): ragged rows")
        let keys = Set(objects.flatMap(\.keys))
        for h in header { #expect(keys.contains(h), "\(cmd): CSV column \(h) is no JSON key") }
        for (row, o) in zip(rows, objects) {
            for (h, cell) in zip(header, row) {
                switch o[h] {
                case nil, is NSNull: #expect(cell.isEmpty, "\(cmd) \(h): '\(cell)' where JSON has none")
                case let s as String: #expect(cell == s, "\(cmd) \(h): '\(cell)' vs '\(s)'")
                case let n as NSNumber:
                    if cell == "true" || cell == "false" { #expect(n.boolValue == (cell == "true")) } else {
                        #expect(Double(cell) == n.doubleValue, "\(cmd) \(h): '\(cell)' is not the number \(n)")
                    }
                case let list as [Any]:
                    let back = try JSONSerialization.jsonObject(with: Data(cell.utf8)) as? [Any]
                    #expect(back?.count == list.count, "\(cmd) \(h): a list is its JSON text")
                default: break
                }
            }
        }
    }
}
