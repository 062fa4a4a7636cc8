// The performance model's constants. Written by `servefit-bench calibrate` from
// Benchmarks/calibration/measurements.json (352 runs, 37 sources);
// see Benchmarks/calibration/report.md for the fit and its leave-one-source-out error.
// Edit the measurements and re-run the fit, not this file.
public enum FittedProfile {
    public static let bandwidthEfficiency = 0.7899
    public static let computeEfficiency = 0.5453
    public static let gemmHalfTokens = 202.4
    public static let interconnectEfficiency = 0.7
    public static let allReduceLatencyUs = 12.94
    public static let layerOverheadUs = 9.955
    public static let stepOverheadMs = 2.256
    public static let sequenceOverheadUs = 31.24
    public static let moeFactor = 1.864
    public static let moeLayerOverheadUs = 70.02
    public static let mlaLayerOverheadUs = 94.26
    public static let engineFactors: [String: Double] = [
        "llama.cpp/cuda": 0.9938,
        "llama.cpp/cuda/prefill": 0.9824,
        "llama.cpp/moe": 1.4,
        "llama.cpp/rocm": 1.116,
        "llama.cpp/rocm/prefill": 1.648,
        "sglang/cuda": 0.8754,
        "sglang/cuda/prefill": 1.01,
        "sglang/moe": 1.086,
        "sglang/rocm": 1.126,
        "sglang/rocm/prefill": 1.038,
        "trtllm/cuda": 0.7887,
        "trtllm/cuda/prefill": 0.7469,
        "trtllm/moe": 0.9021,
        "vllm/cuda": 1,
        "vllm/cuda/prefill": 1.112,
        "vllm/rocm": 1.188,
        "vllm/rocm/prefill": 0.9396,
    ]
}
