import Foundation
import ServefitCore

/// An API token as stored: never the token itself, only its SHA-256.
public struct APIToken: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
        case read, write, admin
        var rank: Int { switch self { case .read: 0; case .write: 1; case .admin: 2 } }
        public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
    }
    public var name: String
    public var role: Role
    /// The first characters of the token, to recognise it in a list.
    public var prefix: String
    public var createdAt: String
    public var createdBy: String
    public var lastUsedAt: String?
    public var revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case name, role, prefix, createdAt = "created_at", createdBy = "created_by", lastUsedAt = "last_used_at", revokedAt = "revoked_at"
    }
}

extension CatalogStore {
    /// Every API token starts with it (so a token pasted somewhere it should not be is recognisable).
    public static let tokenPrefix = "sft_"

    /// Creates a token and returns it with its secret, which is not stored and cannot be shown again.
    public func createToken(name: String, role: APIToken.Role, actor: String) throws -> (APIToken, String) {
        let n = name.trimmingCharacters(in: .whitespaces)
        guard !n.isEmpty, n.count <= 64, n.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.@".contains($0)) }) else {
            throw StoreError.invalid("token name must be 1-64 letters, digits, - _ . @ (got '\(name)')")
        }
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let secret = Self.tokenPrefix + bytes.map { String(format: "%02x", $0) }.joined()
        let t = APIToken(name: n, role: role, prefix: String(secret.prefix(10)), createdAt: Self.now(), createdBy: actor)
        try write { db in
            if try db.exists("SELECT 1 FROM api_token WHERE name = ?", [n]) {
                throw StoreError.duplicate(entity: "token", key: n)
            }
            try db.execute("INSERT INTO api_token(name, role, token_hash, prefix, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                           [n, role.rawValue, Digest.sha256Hex(Array(secret.utf8)), t.prefix, t.createdAt, actor])
            try Self.log(db, entity: "token", key: n, action: "create", before: nil, after: Self.json(t), actor: actor)
        }
        return (t, secret)
    }

    public func tokens() throws -> [APIToken] {
        try read { db in try db.rows("SELECT * FROM api_token ORDER BY name").map(Self.token(from:)) }
    }

    public func revokeToken(_ name: String, actor: String) throws {
        try write { db in
            guard let row = try db.row("SELECT * FROM api_token WHERE name = ?", [name]) else {
                throw StoreError.notFound(entity: "token", key: name)
            }
            let old = Self.token(from: row)
            if old.revokedAt != nil { return }
            var new = old
            new.revokedAt = Self.now()
            try db.execute("UPDATE api_token SET revoked_at = ? WHERE name = ?", [new.revokedAt, name])
            try Self.log(db, entity: "token", key: name, action: "delete", before: Self.json(old), after: Self.json(new), actor: actor)
        }
    }

    /// The live token a secret belongs to, or nil. Looked up by hash; the secret is never stored.
    /// The rows are found by the token's public prefix (shown in `token list`), and the secret's
    /// hash is compared with each in constant time, so response times say nothing of the hash.
    public func authenticate(_ secret: String) throws -> APIToken? {
        guard secret.hasPrefix(Self.tokenPrefix), secret.utf8.count < 200 else { return nil }
        let hash = Array(Digest.sha256Hex(Array(secret.utf8)).utf8)
        let rows = try read { db in
            try db.rows("SELECT * FROM api_token WHERE prefix = ? AND revoked_at IS NULL", [String(secret.prefix(10))])
        }
        var found: APIToken?
        for row in rows where Self.constantTimeEqual(Array((row["token_hash"] as String).utf8), hash) { found = Self.token(from: row) }
        return found
    }

    /// Equal-length byte strings compared without an early exit.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    static func token(from row: SQLRow) -> APIToken {
        APIToken(name: row["name"], role: APIToken.Role(rawValue: row["role"]) ?? .read, prefix: row["prefix"],
                 createdAt: row["created_at"], createdBy: row["created_by"], lastUsedAt: row["last_used_at"], revokedAt: row["revoked_at"])
    }
}

// MARK: ETags: optimistic concurrency for updates over HTTP

extension CatalogStore {
    /// A strong ETag of an entity's stored JSON: any change to it changes the tag.
    public static func etag<T: Encodable>(_ v: T) -> String {
        "\"" + String(Digest.sha256Hex(Array(json(v).utf8)).prefix(32)) + "\""
    }

    static func checkETag<T: Encodable>(_ current: T, _ ifMatch: String?, entity: String, key: String) throws {
        guard let ifMatch, ifMatch.trimmingCharacters(in: .whitespaces) != "*" else { return }
        // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag W/"…" never matches.
        let tags = ifMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("W/") }
        if !tags.contains(etag(current)) {
            throw StoreError.conflict("\(entity) '\(key)' changed since it was read (If-Match \(ifMatch) ≠ \(etag(current))); fetch it again and retry")
        }
    }

    /// Replaces a model's fields (slug changes allowed; the row becomes the user's own), if it
    /// still has the ETag the caller read (`ifMatch` nil: unconditionally).
    @discardableResult
    public func updateModel(_ key: String, to new: Model, ifMatch: String? = nil, actor: String) throws -> Model {
        try write { db in
            try Self.checkETag(try Self.findModel(db, key), ifMatch, entity: "model", key: key)
            return try Self.replaceModel(db, key, new, actor: actor, origin: "user", action: "update")
        }
    }

    @discardableResult
    public func updateGPU(_ slug: String, to new: GPU, ifMatch: String? = nil, actor: String) throws -> GPU {
        try write { db in
            try Self.checkETag(try Self.findGPU(db, slug), ifMatch, entity: "gpu", key: slug)
            try Self.replaceGPU(db, slug, new, actor: actor, origin: "user", action: "update")
            return new
        }
    }

    public func replaceScenario(_ s: Scenario, ifMatch: String?, actor: String) throws -> Scenario {
        try write { db in
            try Self.checkETag(try Self.findScenario(db, s.name), ifMatch, entity: "scenario", key: s.name)
            return try Self.upsertScenario(db, s, replace: true, actor: actor, action: "update")
        }
    }
}
