// onnxruntime-node, loaded with its telemetry off. On Linux, onnxruntime 1.30 records usage events in
// ~/.cache/Microsoft/DeveloperTools/.onnxruntime and uploads them over HTTPS unless ORT_DISABLE_TELEMETRY
// is set; a model service sends nothing anywhere. The variable is read when the native library loads,
// so it is set before the package is required. Load onnxruntime-node only through this module.
import { createRequire } from 'node:module'

process.env.ORT_DISABLE_TELEMETRY ??= '1'

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node')

export const { InferenceSession, Tensor } = ort
