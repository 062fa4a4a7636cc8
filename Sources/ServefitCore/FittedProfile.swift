// The performance model's constants. Written by `servefit-bench calibrate` from
// Benchmarks/calibration/measurements.json (352 runs, 37 sources);
// see Benchmarks/calibration/report.md for the fit and its leave-one-source-out error.
// Edit the measurements and re-run the fit, not this file.
public enum FittedProfile {
    public static let bandwidthEfficiency = 0.7902
    public static let computeEfficiency = 0.5479
    public static let gemmHalfTokens = 198.3
    public static let interconnectEfficiency = 0.7
    public static let allReduceLatencyUs = 13.43
    public static let layerOverheadUs = 10.9
    public static let stepOverheadMs = 2.064
    public static let sequenceOverheadUs = 32.52
    public static let moeFactor = 1.819
    public static let moeLayerOverheadUs = 70.68
    public static let mlaLayerOverheadUs = 100.5
    public static let engineFactors: [String: Double] = [
        "llama.cpp/cuda": 1.003,
        "llama.cpp/cuda/prefill": 0.9977,
        "llama.cpp/moe": 1.42,
        "llama.cpp/rocm": 1.182,
        "llama.cpp/rocm/prefill": 1.674,
        "sglang/cuda": 0.8774,
        "sglang/cuda/prefill": 1.04,
        "sglang/moe": 1.073,
        "sglang/rocm": 1.129,
        "sglang/rocm/prefill": 1.005,
        "trtllm/cuda": 0.79,
        "trtllm/cuda/prefill": 0.7674,
        "trtllm/moe": 0.9215,
        "vllm/cuda": 1,
        "vllm/cuda/prefill": 1.141,
        "vllm/rocm": 1.206,
        "vllm/rocm/prefill": 0.9675,
    ]
}
