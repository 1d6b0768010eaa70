// nnc frontend_tflite: .tflite writer (placeholder until written).
