package org.nic.encoding;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * A NIC encoder in ONNX Runtime: input {@code patches} N x 3 x 128 x 128, output {@code codes} N x C.
 * Device {@code cpu}, {@code cuda:N}, or {@code auto} (CUDA device 0 when the CUDA execution provider
 * loads, else CPU); when CUDA was asked for and cannot load, it falls back to CPU with one log line.
 */
public final class OnnxPatchEncoder implements PatchEncoder {

    private static final Logger LOG = Logger.getLogger(OnnxPatchEncoder.class);

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String device;
    private final int codeSize;
    private final String input;
    /** Input staging buffer per calling thread: ONNX Runtime sessions are thread-safe, this class's buffers are not shared. */
    private final ThreadLocal<FloatBuffer> buffers = new ThreadLocal<>();

    private OnnxPatchEncoder(OrtSession session, String device) throws OrtException {
        this.session = session;
        this.device = device;
        this.input = session.getInputNames().iterator().next();
        long[] shape = ((ai.onnxruntime.TensorInfo) session.getOutputInfo().values().iterator().next().getInfo()).getShape();
        this.codeSize = (int) shape[shape.length - 1];
    }

    /**
     * @param model ONNX bytes (already checked against their card)
     * @param device {@code auto}, {@code cpu} or {@code cuda:N}
     * @param threads intra-op threads for CPU inference (0: ONNX Runtime's default)
     */
    public static OnnxPatchEncoder load(byte[] model, String device, int threads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String wanted = device == null ? "auto" : device.trim().toLowerCase(java.util.Locale.ROOT);
        if (wanted.startsWith("cuda") || wanted.equals("auto")) {
            int index = wanted.startsWith("cuda:") ? Integer.parseInt(wanted.substring(5)) : 0;
            try {
                OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                options.addCUDA(index);
                return new OnnxPatchEncoder(env.createSession(model, options), "cuda:" + index);
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                LOG.infof("CUDA execution provider unavailable (%s); encoding on CPU", firstLine(e));
            }
        } else if (!wanted.equals("cpu")) {
            throw new IllegalArgumentException("device must be auto, cpu or cuda:N, not " + device);
        }
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return new OnnxPatchEncoder(env.createSession(model, options), "cpu");
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load the encoder: " + e.getMessage(), e);
        }
    }

    @Override
    public int codeSize() {
        return codeSize;
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public void encode(float[] patches, int n, float[] codes) {
        int floats = n * PATCH_FLOATS;
        FloatBuffer buffer = buffers.get();
        if (buffer == null || buffer.capacity() < floats) {
            buffer = ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            buffers.set(buffer);
        }
        buffer.clear();
        buffer.put(patches, 0, floats);
        buffer.flip();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, buffer, new long[] {n, 3, PATCH, PATCH});
             OrtSession.Result result = session.run(Map.of(input, tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            out.get(codes, 0, n * codeSize);
        } catch (OrtException e) {
            throw new IllegalStateException("encoder failed on a batch of " + n + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.debug("closing the ONNX session failed", e);
        }
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }
}
