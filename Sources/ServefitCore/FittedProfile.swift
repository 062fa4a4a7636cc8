// The performance model's constants. Written by `servefit-bench calibrate` from
// Benchmarks/calibration/measurements.json (338 runs, 35 sources);
// see Benchmarks/calibration/report.md for the fit and its leave-one-source-out error.
// Edit the measurements and re-run the fit, not this file.
public enum FittedProfile {
    public static let bandwidthEfficiency = 0.7831
    public static let computeEfficiency = 0.5597
    public static let gemmHalfTokens = 174.6
    public static let interconnectEfficiency = 0.7
    public static let allReduceLatencyUs = 13.41
    public static let layerOverheadUs = 12.04
    public static let stepOverheadMs = 2.161
    public static let sequenceOverheadUs = 33.08
    public static let moeFactor = 1.975
    public static let moeLayerOverheadUs = 68.64
    public static let engineFactors: [String: Double] = [
        "llama.cpp/cuda": 1.008,
        "llama.cpp/cuda/prefill": 0.8577,
        "llama.cpp/moe": 1.557,
        "llama.cpp/rocm": 1.222,
        "llama.cpp/rocm/prefill": 1.659,
        "sglang/cuda": 0.8784,
        "sglang/cuda/prefill": 1.04,
        "sglang/moe": 1.102,
        "sglang/rocm": 1.1,
        "sglang/rocm/prefill": 1.007,
        "trtllm/cuda": 0.749,
        "trtllm/cuda/prefill": 0.779,
        "trtllm/moe": 0.8562,
        "vllm/cuda": 1,
        "vllm/cuda/prefill": 1.184,
        "vllm/rocm": 1.178,
        "vllm/rocm/prefill": 0.9665,
    ]
}
