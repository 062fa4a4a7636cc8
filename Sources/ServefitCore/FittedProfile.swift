// The performance model's constants. Written by `servefit-bench calibrate` from
// Benchmarks/calibration/measurements.json (281 runs, 29 sources);
// see Benchmarks/calibration/report.md for the fit and its leave-one-source-out error.
// Edit the measurements and re-run the fit, not this file.
public enum FittedProfile {
    public static let bandwidthEfficiency = 0.787
    public static let computeEfficiency = 0.5508
    public static let gemmHalfTokens = 166.6
    public static let interconnectEfficiency = 0.7
    public static let allReduceLatencyUs = 14.34
    public static let layerOverheadUs = 11.7
    public static let stepOverheadMs = 2.609
    public static let sequenceOverheadUs = 29.52
    public static let moeFactor = 2.298
    public static let moeLayerOverheadUs = 98.18
    public static let engineFactors: [String: Double] = [
        "llama.cpp/cuda": 0.9745,
        "llama.cpp/cuda/prefill": 0.8448,
        "llama.cpp/moe": 1.447,
        "llama.cpp/rocm": 1.16,
        "llama.cpp/rocm/prefill": 1.631,
        "sglang/cuda": 0.9774,
        "sglang/cuda/prefill": 1.02,
        "sglang/moe": 1.049,
        "sglang/rocm": 1.086,
        "sglang/rocm/prefill": 1.002,
        "trtllm/cuda": 0.746,
        "trtllm/cuda/prefill": 0.7717,
        "trtllm/moe": 0.8401,
        "vllm/cuda": 1,
        "vllm/cuda/prefill": 1.257,
        "vllm/rocm": 1.187,
        "vllm/rocm/prefill": 0.9738,
    ]
}
