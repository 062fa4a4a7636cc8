// The performance model's constants. Written by `servefit-bench calibrate` from
// Benchmarks/calibration/measurements.json (161 runs, 9 sources);
// see Benchmarks/calibration/report.md for the fit and its leave-one-source-out error.
// Edit the measurements and re-run the fit, not this file.
public enum FittedProfile {
    public static let bandwidthEfficiency = 0.7862
    public static let computeEfficiency = 0.6252
    public static let gemmHalfTokens = 50.07
    public static let interconnectEfficiency = 0.7
    public static let allReduceLatencyUs = 17.25
    public static let layerOverheadUs = 11.44
    public static let stepOverheadMs = 1.395
    public static let moeFactor = 1.986
    public static let moeLayerOverheadUs = 320.2
    public static let engineFactors: [String: Double] = [
        "llama.cpp/cuda": 1.011,
        "llama.cpp/cuda/prefill": 0.8836,
        "llama.cpp/rocm": 0.9998,
        "sglang/cuda": 1.057,
        "sglang/cuda/prefill": 1.004,
        "sglang/rocm": 1.072,
        "trtllm/cuda": 0.9466,
        "trtllm/cuda/prefill": 1.021,
        "vllm/cuda": 1,
        "vllm/cuda/prefill": 1.087,
        "vllm/rocm": 1.223,
        "vllm/rocm/prefill": 0.9739,
    ]
}
