// The performance model's constants. Written by `servefit-bench calibrate` from
// Benchmarks/calibration/measurements.json (338 runs, 35 sources);
// see Benchmarks/calibration/report.md for the fit and its leave-one-source-out error.
// Edit the measurements and re-run the fit, not this file.
public enum FittedProfile {
    public static let bandwidthEfficiency = 0.7818
    public static let computeEfficiency = 0.5585
    public static let gemmHalfTokens = 185.6
    public static let interconnectEfficiency = 0.7
    public static let allReduceLatencyUs = 13.1
    public static let layerOverheadUs = 11.66
    public static let stepOverheadMs = 2.032
    public static let sequenceOverheadUs = 36.18
    public static let moeFactor = 1.936
    public static let moeLayerOverheadUs = 67.71
    public static let engineFactors: [String: Double] = [
        "llama.cpp/cuda": 1.012,
        "llama.cpp/cuda/prefill": 0.8462,
        "llama.cpp/moe": 1.54,
        "llama.cpp/rocm": 1.234,
        "llama.cpp/rocm/prefill": 1.67,
        "sglang/cuda": 0.8746,
        "sglang/cuda/prefill": 1.04,
        "sglang/moe": 1.104,
        "sglang/rocm": 1.104,
        "sglang/rocm/prefill": 1.009,
        "trtllm/cuda": 0.7643,
        "trtllm/cuda/prefill": 0.7777,
        "trtllm/moe": 0.8511,
        "vllm/cuda": 1,
        "vllm/cuda/prefill": 1.171,
        "vllm/rocm": 1.191,
        "vllm/rocm/prefill": 0.9683,
    ]
}
