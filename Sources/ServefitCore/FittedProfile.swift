// The performance model's constants. Written by `servefit-bench calibrate` from
// Benchmarks/calibration/measurements.json (338 runs, 35 sources);
// see Benchmarks/calibration/report.md for the fit and its leave-one-source-out error.
// Edit the measurements and re-run the fit, not this file.
public enum FittedProfile {
    public static let bandwidthEfficiency = 0.7873
    public static let computeEfficiency = 0.5451
    public static let gemmHalfTokens = 194.1
    public static let interconnectEfficiency = 0.7
    public static let allReduceLatencyUs = 13.18
    public static let layerOverheadUs = 11.67
    public static let stepOverheadMs = 2.105
    public static let sequenceOverheadUs = 32.04
    public static let moeFactor = 1.844
    public static let moeLayerOverheadUs = 68.26
    public static let mlaLayerOverheadUs = 84.22
    public static let engineFactors: [String: Double] = [
        "llama.cpp/cuda": 0.9983,
        "llama.cpp/cuda/prefill": 0.9965,
        "llama.cpp/moe": 1.461,
        "llama.cpp/rocm": 1.169,
        "llama.cpp/rocm/prefill": 1.649,
        "sglang/cuda": 0.8831,
        "sglang/cuda/prefill": 1.022,
        "sglang/moe": 1.075,
        "sglang/rocm": 1.104,
        "sglang/rocm/prefill": 1.003,
        "trtllm/cuda": 0.7956,
        "trtllm/cuda/prefill": 0.7567,
        "trtllm/moe": 0.92,
        "vllm/cuda": 1,
        "vllm/cuda/prefill": 1.125,
        "vllm/rocm": 1.19,
        "vllm/rocm/prefill": 0.9516,
    ]
}
