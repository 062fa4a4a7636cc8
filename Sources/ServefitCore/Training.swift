/// Training and fine-tuning memory: weights, gradients, optimizer states (with ZeRO sharding),
/// activations (Korthikanti et al. 2022, generalised to gated MLPs and GQA), LoRA adapters.
extension Estimator {
    struct TrainingMemory {
        var components: [Component]
        var activation: Int64
        var overhead: Int64
        var gradients: Int64
        var optimizer: Int64
        var weightsPerGPU: Int64
    }

    /// LoRA adapter parameters: rank × (in + out) for each targeted projection in every layer.
    public static func loraParameters(_ m: Model, rank: Int, targets: [String]) throws -> Int64 {
        let h = m.hiddenSize ?? 0
        let hd = m.resolvedHeadDim
        let I = m.intermediateSize ?? 0
        var dims: [String: (Int, Int)] = [
            "q_proj": (h, m.heads * hd), "k_proj": (h, m.kvHeads * hd), "v_proj": (h, m.kvHeads * hd),
            "o_proj": (m.heads * hd, h), "gate_proj": (h, I), "up_proj": (h, I), "down_proj": (I, h),
        ]
        if m.isMLA { dims["q_proj"] = (h, m.heads * ((m.qkNopeHeadDim ?? 0) + (m.qkRopeHeadDim ?? 0))); dims["o_proj"] = (m.heads * (m.vHeadDim ?? 0), h) }
        var names: [String] = []
        for t in targets {
            let key = t.lowercased()
            switch key {
            case "all-linear", "all": names += ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
            case "attention", "attn": names += ["q_proj", "k_proj", "v_proj", "o_proj"]
            case "mlp": names += ["gate_proj", "up_proj", "down_proj"]
            default:
                let k = key.hasSuffix("_proj") ? key : key + "_proj"
                guard dims[k] != nil else {
                    throw CoreError.unknownName(kind: "LoRA target", name: t, known: dims.keys.sorted() + ["attention", "mlp", "all-linear"])
                }
                names.append(k)
            }
        }
        var per = 0.0
        for n in Set(names) { if let (i, o) = dims[n] { per += Double(rank) * (Double(i) + Double(o)) } }
        return i64(per * Double(max(1, m.layers)))
    }

    static func training(_ r: EstimateRequest, _ t: TrainingOptions, pc: ParamCount, ws: WeightSize, tp: Int) throws -> TrainingMemory {
        let m = r.model
        let n = Double(max(1, r.gpus))
        var comps: [Component] = []
        let s = Double(r.context), b = Double(max(1, r.batch))
        let h = Double(m.hiddenSize ?? 0)
        let L = Double(max(1, m.layers))
        let a = Double(max(1, m.heads))
        var I = Double(m.intermediateSize ?? 0)
        if m.isMoE {
            let moeI = Double(["mixtral", "gpt_oss"].contains(m.modelType) ? (m.intermediateSize ?? 0) : (m.moeIntermediateSize ?? 0))
            I = Double(m.numExpertsPerTok ?? 1) * moeI + Double(m.sharedExpertIntermediateSize ?? (m.nSharedExperts ?? 0) * Int(moeI))
        }
        let gated = !["gpt2", "falcon", "bert", "roberta", "xlm-roberta", "whisper"].contains(m.modelType)
        let kvWidth = Double(m.kvHeads * m.resolvedHeadDim)
        let sbh = s * b * h
        let attn = 7 * sbh + 4 * s * b * kvWidth + (t.flashAttention ? 0 : 5 * a * s * s * b)
        let mlp = gated ? s * b * (2 * h + 8 * I) : s * b * (3 * h + 4 * I)
        let perLayer = attn + mlp + 4 * sbh
        let layersAct = t.gradientCheckpointing ? L * 2 * sbh + perLayer : L * perLayer
        let logits = s * b * Double(m.vocabSize ?? 0) * 4 * 2
        let activation = i64(layersAct + logits)
        comps.append(Component("activations", i64(layersAct),
                               (t.gradientCheckpointing ? "checkpointing: layers × 2·s·b·h + one layer recomputed" : "layers × per-layer")
                               + " (per layer: attention 7sbh + 4sb·kv_width\(t.flashAttention ? "" : " + 5·a·s²·b") + MLP \(gated ? "sb(2h + 8I)" : "sb(3h + 4I)") + norms 4sbh; s=\(Int(s)), b=\(Int(b)))"))
        comps.append(Component("logits", i64(logits), "seq × batch × vocab × 4 B × 2 (fp32 logits and their gradient)"))

        var gradients: Int64
        var optimizer: Int64
        var weightsPerGPU = Double(ws.bytes)
        if let rank = t.loraRank {
            let adapter = try loraParameters(m, rank: rank, targets: t.loraTargets)
            let adapterBytes = adapter * 4
            gradients = adapter * 4
            optimizer = i64(Double(adapter) * (t.optimizer.stateBytes - 4))
            comps.append(Component("lora_adapters", adapterBytes, "\(adapter) adapter params (rank \(rank) on \(t.loraTargets.joined(separator: ",")) × \(m.layers) layers) × 4 B fp32"))
            comps.append(Component("gradients", gradients, "adapter params × 4 B (base weights frozen)"))
            comps.append(Component("optimizer", optimizer, "adapter params × \(Int(t.optimizer.stateBytes - 4)) B (\(t.optimizer.rawValue) states)"))
        } else {
            let p = Double(pc.total)
            gradients = i64(p * 2)
            optimizer = i64(p * t.optimizer.stateBytes)
            var gf = "params × 2 B (bf16)"
            var of = "params × \(Int(t.optimizer.stateBytes)) B (\(t.optimizer.rawValue): fp32 master copy + states)"
            var gradsPerGPU = Double(gradients), optPerGPU = Double(optimizer)
            if t.zeroStage >= 1 { optPerGPU /= n; of += ", ZeRO-\(t.zeroStage) shards it over \(Int(n)) GPUs" }
            if t.zeroStage >= 2 { gradsPerGPU /= n; gf += ", sharded over \(Int(n)) GPUs" }
            if t.zeroStage >= 3 { weightsPerGPU /= n }
            comps.append(Component("gradients", gradients, gf, perGPU: i64(gradsPerGPU)))
            comps.append(Component("optimizer", optimizer, of, perGPU: i64(optPerGPU)))
            let overhead = cudaContextBytes
            comps.append(Component("cuda_context", overhead, "CUDA context (~0.3 GiB per process)"))
            return TrainingMemory(components: comps, activation: activation, overhead: overhead * Int64(n),
                                  gradients: gradients, optimizer: optimizer, weightsPerGPU: i64(weightsPerGPU))
        }
        let overhead = cudaContextBytes
        comps.append(Component("cuda_context", overhead, "CUDA context (~0.3 GiB per process)"))
        return TrainingMemory(components: comps, activation: activation, overhead: overhead * Int64(n),
                              gradients: gradients, optimizer: optimizer, weightsPerGPU: i64(weightsPerGPU))
    }
}
