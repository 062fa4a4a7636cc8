// The performance model's constants. Written by `servefit-bench calibrate` from
// Benchmarks/calibration/measurements.json (352 runs, 37 sources);
// see Benchmarks/calibration/report.md for the fit and its leave-one-source-out error.
// Edit the measurements and re-run the fit, not this file.
public enum FittedProfile {
    public static let bandwidthEfficiency = 0.7906
    public static let computeEfficiency = 0.5469
    public static let gemmHalfTokens = 195.9
    public static let interconnectEfficiency = 0.7
    public static let allReduceLatencyUs = 13.31
    public static let layerOverheadUs = 11.24
    public static let stepOverheadMs = 2.02
    public static let sequenceOverheadUs = 33.12
    public static let moeFactor = 1.822
    public static let moeLayerOverheadUs = 67.71
    public static let mlaLayerOverheadUs = 103.7
    public static let engineFactors: [String: Double] = [
        "llama.cpp/cuda": 1.002,
        "llama.cpp/cuda/prefill": 0.9982,
        "llama.cpp/moe": 1.416,
        "llama.cpp/rocm": 1.19,
        "llama.cpp/rocm/prefill": 1.675,
        "sglang/cuda": 0.8848,
        "sglang/cuda/prefill": 1.027,
        "sglang/moe": 1.07,
        "sglang/rocm": 1.131,
        "sglang/rocm/prefill": 1.002,
        "trtllm/cuda": 0.7852,
        "trtllm/cuda/prefill": 0.7633,
        "trtllm/moe": 0.9215,
        "vllm/cuda": 1,
        "vllm/cuda/prefill": 1.132,
        "vllm/rocm": 1.209,
        "vllm/rocm/prefill": 0.9679,
    ]
}
