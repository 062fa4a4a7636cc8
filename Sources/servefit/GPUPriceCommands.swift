import ArgumentParser
import Foundation
import ServefitCore
import ServefitStore

struct GPUFields: ParsableArguments {
    @Option(help: "Vendor: NVIDIA, AMD or Intel.") var vendor: String?
    @Option(help: "Display name, e.g. \"H100 SXM5 80GB\".") var name: String?
    @Option(help: "Form factor: SXM5, PCIe, OAM, …") var formFactor: String?
    @Option(help: "Memory, e.g. 80GiB or 24GB (binary units for HBM/GDDR capacities).") var memory: String?
    @Option(help: "Memory type: HBM3, HBM3e, GDDR6X, …") var memoryType: String?
    @Option(help: "Peak memory bandwidth, decimal GB/s.") var bandwidthGbPerS: StrictNumber?
    @Option(help: "Dense FP32 TFLOPS (no sparsity).") var tflopsFp32: StrictNumber?
    @Option(help: "Dense TF32 tensor TFLOPS (no sparsity).") var tflopsTf32: StrictNumber?
    @Option(help: "Dense FP16 tensor TFLOPS (no sparsity).") var tflopsFp16: StrictNumber?
    @Option(help: "Dense BF16 tensor TFLOPS (no sparsity).") var tflopsBf16: StrictNumber?
    @Option(help: "Dense FP8 tensor TFLOPS (no sparsity); leave out where unsupported.") var tflopsFp8: StrictNumber?
    @Option(help: "Dense INT8 tensor TOPS (no sparsity).") var tflopsInt8: StrictNumber?
    @Option(help: "Dense FP4 tensor TFLOPS (no sparsity); leave out where unsupported.") var tflopsFp4: StrictNumber?
    @Option(help: "Board power, watts.") var tdpW: WholeNumber?
    @Option(help: "GPU-to-GPU link: NVLink 4, Infinity Fabric, PCIe 5.0, …") var interconnect: String?
    @Option(help: "GPU-to-GPU GB/s, bidirectional per GPU.") var interconnectGbPerS: StrictNumber?
    @Option(help: "Year it launched.") var launchYear: WholeNumber?
    @Option(help: "Where the figures come from (a URL).") var source: String?
    @Option(help: "Free text.") var notes: String?

    func apply(to g: inout GPU) throws {
        if let v = vendor { g.vendor = v }
        if let v = name { g.name = v }
        if let v = formFactor { g.formFactor = v }
        if let v = memory { g.memoryBytes = try Units.parseBytes(v) }
        if let v = memoryType { g.memoryType = v }
        if let v = bandwidthGbPerS { g.bandwidthGBPerS = v.value }
        if let v = tflopsFp32 { g.tflops.fp32 = v.value }
        if let v = tflopsTf32 { g.tflops.tf32 = v.value }
        if let v = tflopsFp16 { g.tflops.fp16 = v.value }
        if let v = tflopsBf16 { g.tflops.bf16 = v.value }
        if let v = tflopsFp8 { g.tflops.fp8 = v.value }
        if let v = tflopsInt8 { g.tflops.int8 = v.value }
        if let v = tflopsFp4 { g.tflops.fp4 = v.value }
        if let v = tdpW { g.tdpW = v.value }
        if let v = interconnect { g.interconnect = v }
        if let v = interconnectGbPerS { g.interconnectGBPerS = v.value }
        if let v = launchYear { g.launchYear = v.value }
        if let v = source { g.source = v }
        if let v = notes { g.notes = v }
    }
}

struct GPUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gpu", abstract: "List, show, add, update and remove GPU specs.",
                                                    subcommands: [List.self, Show.self, Add.self, Update.self, Remove.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List GPUs.", discussion: "Example: servefit gpu list --vendor nvidia --min-memory 40GiB")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Option(help: "NVIDIA, AMD, Intel (case-insensitive).") var vendor: String?
        @Option(help: "At least this much memory, e.g. 40GiB.") var minMemory: String?
        @Option(help: "At least this bandwidth in GB/s.") var minBandwidth: StrictNumber?

        func run() throws {
            try CLI.run {
                let gpus = try global.open().gpus(GPUFilter(vendor: vendor, minMemoryBytes: try minMemory.map(Units.parseBytes), minBandwidthGBPerS: minBandwidth?.value))
                if fmt.format == .json { try CLI.printJSON(gpus); return }
                if fmt.format == .csv {
                    try CLI.printCSV(gpus, columns: ["slug", "vendor", "name", "memory_bytes", "bandwidth_gb_per_s", "tflops_bf16", "tflops_fp8",
                                                     "interconnect_gb_per_s", "interconnect", "architecture", "tdp_w"])
                    return
                }
                CLI.printTable(["slug", "vendor", "name", "memory", "bandwidth", "bf16 TFLOPS", "fp8 TFLOPS", "interconnect"],
                               gpus.map { [$0.slug, $0.vendor, $0.name, Units.gib($0.memoryBytes, digits: 0), CLI.num($0.bandwidthGBPerS, 0) + " GB/s",
                                           CLI.num($0.tflops["bf16"]), CLI.num($0.tflops.fp8), $0.interconnectGBPerS.map { CLI.num($0, 0) + " GB/s" } ?? "PCIe"] },
                               format: fmt.format)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one GPU with its current prices.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Argument(help: "GPU slug.", completion: Completions.gpus) var gpu: String
        func run() throws {
            try CLI.run {
                let store = try global.open()
                let g = try store.gpu(gpu)
                if fmt.format == .json { try CLI.printJSON(g); return }
                if fmt.format == .csv { try CLI.printCSV([g], leading: ["slug", "vendor", "name"]); return }
                var rows: [[String]] = [["slug", g.slug], ["vendor", g.vendor], ["name", g.name], ["form_factor", g.formFactor ?? "-"],
                                        ["memory", "\(Units.gib(g.memoryBytes, digits: 0)) (\(g.memoryBytes) bytes; \(Units.gib(g.visibleMemoryBytes)) visible to engines)"],
                                        ["memory_type", g.memoryType ?? "-"], ["bandwidth", "\(CLI.num(g.bandwidthGBPerS, 0)) GB/s"]]
                for k in TFLOPS.keys { rows.append(["tflops_\(k)", CLI.num(g.tflops[k])]) }
                rows += [["tdp", g.tdpW.map { "\($0) W" } ?? "-"], ["interconnect", "\(g.interconnect ?? "-") \(g.interconnectGBPerS.map { CLI.num($0, 0) + " GB/s" } ?? "")"],
                         ["launch_year", g.launchYear.map(String.init) ?? "-"], ["source", g.source ?? "-"], ["notes", g.notes ?? "-"]]
                for p in try store.prices(PriceFilter(gpu: g.slug, latestOnly: true)) {
                    rows.append(["price", "$\(CLI.num(p.usdPerGPUHour, 2))/GPU-h \(p.provider) \(p.pricingModel.rawValue) \(p.instance ?? "") as of \(p.asOf)"])
                }
                CLI.printTable(["field", "value"], rows, format: fmt.format)
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a GPU from flags or a JSON object.",
            discussion: "Example: servefit gpu add --slug rtx-a5000 --vendor NVIDIA --name 'RTX A5000' --memory 24GiB --bandwidth-gb-per-s 768 --tflops-bf16 111")
        @OptionGroup var global: WriteOptions
        @Option(help: "Slug to store it under (lower-case, e.g. h100-sxm).") var slug: String?
        @Option(help: "A JSON object as `gpu show --format json` prints.") var fromJson: String?
        @OptionGroup var fields: GPUFields
        func run() throws {
            try CLI.run {
                var g: GPU
                if let fromJson {
                    do { g = try JSONDecoder().decode(GPU.self, from: try CLI.readFile(fromJson)) } catch let e as CLIError { throw e } catch {
                        throw CLIError(message: "\(fromJson) is not a valid GPU JSON object: \(error)", code: 65)
                    }
                } else {
                    guard let slug else { throw CLIError(message: "--slug is required", code: 64) }
                    guard fields.memory != nil, fields.bandwidthGbPerS != nil, fields.vendor != nil else {
                        throw CLIError(message: "--vendor, --memory and --bandwidth-gb-per-s are required", code: 64)
                    }
                    g = GPU(slug: slug, vendor: "", name: slug, memoryBytes: 0, bandwidthGBPerS: 0, tflops: TFLOPS())
                }
                if let slug { g.slug = slug }
                try fields.apply(to: &g)
                try global.open().addGPU(g, actor: global.who)
                print("added gpu \(g.slug)")
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change fields of a GPU.", discussion: "Example: servefit gpu update h100-sxm --tdp-w 700")
        @OptionGroup var global: WriteOptions
        @Argument(help: "GPU slug.", completion: Completions.gpus) var gpu: String
        @OptionGroup var fields: GPUFields
        func run() throws {
            try CLI.run {
                let store = try global.open()
                var g = try store.gpu(gpu)
                try fields.apply(to: &g)
                try store.updateGPU(gpu, to: g, actor: global.who)
                print("updated gpu \(g.slug)")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a GPU.")
        @OptionGroup var global: WriteOptions
        @Argument(help: "GPU slug.", completion: Completions.gpus) var gpu: String
        @Flag(help: "Also remove its price history.") var withPrices = false
        func run() throws {
            try CLI.run {
                try global.open().removeGPU(gpu, withPrices: withPrices, actor: global.who)
                print("removed gpu \(gpu)")
            }
        }
    }
}

struct PriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "price", abstract: "Dated GPU-hour prices by provider (history is kept).",
                                                    subcommands: [List.self, Add.self, Remove.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List prices.", discussion: "Example: servefit price list --gpu h100-sxm --latest --format json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Option(help: "GPU slug.") var gpu: String?
        @Option(help: "Cloud or marketplace, e.g. Lambda, RunPod.") var provider: String?
        @Option(help: "on-demand, spot or reserved.") var pricingModel: String?
        @Flag(help: "Only the current prices: the latest per (gpu, provider, pricing model, instance size), fresh ones only.") var latest = false
        @Option(help: "A price older than this is stale (default 180d; e.g. 90d, 26w).") var maxPriceAge: String?
        @Flag(help: "With --latest: keep stale prices too (marked stale).") var includeStale = false

        func run() throws {
            try CLI.run {
                let pm = try pricingModel.map(parsePricingModel)
                let fresh = Freshness(today: CatalogStore.today(), maxAgeDays: try maxPriceAge.map(Freshness.parseAge) ?? Price.defaultMaxAgeDays,
                                      includeStale: includeStale)
                let prices = try global.open().prices(PriceFilter(gpu: gpu, provider: provider, pricingModel: pm, latestOnly: latest, freshness: fresh))
                if fmt.format == .json { try CLI.printJSON(prices); return }
                if fmt.format == .csv {
                    try CLI.printCSV(prices, columns: ["id", "gpu", "provider", "pricing_model", "usd_per_gpu_hour", "as_of", "stale", "instance",
                                                       "gpus_per_instance", "link", "region"])
                    return
                }
                CLI.printTable(["id", "gpu", "provider", "pricing_model", "usd_per_gpu_hour", "as_of", "stale", "instance", "gpus_per_instance", "link", "region"],
                               prices.map { [String($0.id ?? 0), $0.gpu, $0.provider, $0.pricingModel.rawValue, Units.format($0.usdPerGPUHour, 4),
                                             $0.asOf, $0.stale == true ? "stale" : "", $0.instance ?? "-",
                                             String($0.gpusPerInstance) + ($0.shapeAssumed ? "?" : ""), $0.link?.rawValue ?? "-", $0.region ?? "-"] },
                               format: fmt.format)
                if fmt.format == .table {
                    print("(stale: older than \(fresh.maxAgeDays) days on \(fresh.today); \"?\": instance size not recorded, taken as 1)")
                }
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a price (never overwrites an older one).",
            discussion: "Example: servefit price add --gpu h100-sxm --provider Lambda --usd-per-gpu-hour 2.99 --as-of 2026-11-01 --source https://lambda.ai/pricing")
        @OptionGroup var global: WriteOptions
        @Option(help: "GPU slug.") var gpu: String
        @Option(help: "Cloud or marketplace, e.g. Lambda, RunPod.") var provider: String
        @Option(help: "US dollars per GPU per hour.") var usdPerGpuHour: StrictNumber
        @Option(help: "YYYY-MM-DD") var asOf: String
        @Option(help: "Where the price was seen (URL or document).") var source: String
        @Option(help: "on-demand, spot or reserved.") var pricingModel: String = "on-demand"
        @Option(help: "Region or zone, when the price depends on it.") var region: String?
        @Option(help: "Instance type or offer name, e.g. p5.48xlarge.") var instance: String?
        @Option(help: "GPUs in the instance this price rents (default 1; an 8-GPU HGX node is 8).") var gpusPerInstance: WholeNumber?
        @Option(help: "How its GPUs are joined: none, pcie, nvlink, nvlink-bridge, xgmi, other.") var link: String?

        func run() throws {
            try CLI.run {
                let pm = try parsePricingModel(pricingModel)
                var p = Price(gpu: gpu, provider: provider, pricingModel: pm, usdPerGPUHour: usdPerGpuHour.value, asOf: asOf, source: source)
                p.region = region; p.instance = instance
                if let n = gpusPerInstance { p.gpusPerInstance = n.value } else { p.shapeAssumed = true }
                if let l = link {
                    guard let v = InstanceLink(rawValue: l) else {
                        throw CLIError(message: "--link must be one of \(InstanceLink.allCases.map(\.rawValue).joined(separator: ", "))"
                                       + Suggest.hint(l, in: InstanceLink.allCases.map(\.rawValue)), code: 64)
                    }
                    p.link = v
                }
                let saved = try global.open().addPrice(p, actor: global.who)
                print("added price \(saved.id ?? 0): \(gpu) at \(provider) $\(Units.format(usdPerGpuHour.value, 4))/GPU-h as of \(asOf)")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a price row by id (see `price list`).")
        @OptionGroup var global: WriteOptions
        @Argument(help: "The price row id (price list shows it).") var id: Int64
        func run() throws {
            try CLI.run {
                try global.open().removePrice(id: id, actor: global.who)
                print("removed price \(id)")
            }
        }
    }
}

func parsePricingModel(_ s: String) throws -> PricingModel {
    guard let p = PricingModel(rawValue: s) else { throw CLIError(message: "--pricing-model must be on-demand, spot or reserved", code: 64) }
    return p
}
