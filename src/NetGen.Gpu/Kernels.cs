using System;
using ILGPU;

namespace NetGen.Gpu;

/// <summary>The shape and epilogue of one linear layer's launch.</summary>
internal readonly struct LinearShape
{
    public LinearShape(int rows, int inputs, int outputs, bool hasBias, GpuActivation activation, float alpha, float beta)
    {
        Rows = rows;
        Inputs = inputs;
        Outputs = outputs;
        HasBias = hasBias ? 1 : 0;
        Activation = (int)activation;
        Alpha = alpha;
        Beta = beta;
    }

    public int Rows { get; }

    public int Inputs { get; }

    public int Outputs { get; }

    public int HasBias { get; }

    public int Activation { get; }

    public float Alpha { get; }

    public float Beta { get; }
}

/// <summary>
/// The device kernels, written once in C# and compiled by ILGPU for CUDA, OpenCL or the CPU
/// accelerator. Tensors are row-major <c>[rows, size]</c>; weights keep the panel layout of
/// <c>NetGen.Runtime.PackedLinear</c> (panels of 16 output rows, column by column, zero rows
/// padding the last panel), so the very data the CPU kernels read is uploaded as it is.
/// </summary>
/// <remarks>
/// Accuracy: products are summed in float32 within a tile of 16 columns, and the tiles' sums
/// are combined with Neumaier's compensated addition, so the rounding error grows with the
/// tile length rather than with the layer's width (the CPU kernels bound it the same way,
/// with blocks of 8 summed in double; doubles are slow on most GPUs). Row reductions (softmax,
/// the norms) accumulate in double, as the CPU code does.
/// </remarks>
internal static class Kernels
{
    /// <summary>Output rows per weight panel, and the side of a shared-memory tile.</summary>
    public const int Tile = 16;

    /// <summary>
    /// <c>y = act(x Wᵀ + b)</c> for a block of rows: one group of 16×16 threads computes a 16×16
    /// tile of <c>y</c> (16 samples by 16 outputs), staging 16 columns of the samples and the
    /// matching 16×16 block of one weight panel in shared memory per step. A panel block is 256
    /// consecutive floats, so the weight loads are fully coalesced.
    /// </summary>
    public static void LinearTiled(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y, LinearShape shape)
    {
        ArrayView<float> xs = SharedMemory.Allocate<float>(Tile * Tile);
        ArrayView<float> ws = SharedMemory.Allocate<float>(Tile * Tile);
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int output = (Grid.IdxX * Tile) + tx;
        int row = (Grid.IdxY * Tile) + ty;
        int n = shape.Inputs;
        long panel = (long)Grid.IdxX * Tile * n;

        float sum = 0f;
        float compensation = 0f;
        for (int k0 = 0; k0 < n; k0 += Tile)
        {
            int kx = k0 + tx;
            xs[(ty * Tile) + tx] = row < shape.Rows && kx < n ? x[((long)row * n) + kx] : 0f;
            int kw = k0 + ty;
            ws[(ty * Tile) + tx] = kw < n ? w[panel + ((long)kw * Tile) + tx] : 0f;
            Group.Barrier();

            float partial = 0f;
            for (int k = 0; k < Tile; k++)
            {
                partial += xs[(ty * Tile) + k] * ws[(k * Tile) + tx];
            }

            Neumaier(ref sum, ref compensation, partial);
            Group.Barrier();
        }

        if (row < shape.Rows && output < shape.Outputs)
        {
            float v = sum + compensation;
            if (shape.HasBias != 0)
            {
                v += bias[output];
            }

            y[((long)row * shape.Outputs) + output] = Activate(v, shape.Activation, shape.Alpha, shape.Beta);
        }
    }

    /// <summary>
    /// <c>y = act(x Wᵀ + b)</c> for a few rows (matrix-vector products): one thread per output,
    /// walking its panel lane column by column; neighbouring threads read neighbouring floats.
    /// </summary>
    public static void LinearRows(Index1D output, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y, LinearShape shape)
    {
        int n = shape.Inputs;
        int o = output.X;
        long lane = ((long)(o / Tile) * Tile * n) + (o % Tile);
        for (int row = 0; row < shape.Rows; row++)
        {
            long xRow = (long)row * n;
            float sum = 0f;
            float compensation = 0f;
            for (int k0 = 0; k0 < n; k0 += Tile)
            {
                int end = Math.Min(n, k0 + Tile);
                float partial = 0f;
                for (int k = k0; k < end; k++)
                {
                    partial += x[xRow + k] * w[lane + ((long)k * Tile)];
                }

                Neumaier(ref sum, ref compensation, partial);
            }

            float v = sum + compensation;
            if (shape.HasBias != 0)
            {
                v += bias[output];
            }

            y[((long)row * shape.Outputs) + output] = Activate(v, shape.Activation, shape.Alpha, shape.Beta);
        }
    }

    /// <summary><c>y = act(x)</c>, element by element.</summary>
    public static void Activation(Index1D i, ArrayView<float> x, ArrayView<float> y, int activation, float alpha, float beta) =>
        y[i] = Activate(x[i], activation, alpha, beta);

    /// <summary><c>y = x[start : start + outputs]</c> of each row.</summary>
    public static void Slice(Index1D i, ArrayView<float> x, ArrayView<float> y, int inputs, int outputs, int start)
    {
        long row = i / outputs;
        y[i] = x[(row * inputs) + start + (i - (row * outputs))];
    }

    /// <summary><c>y = x ⊙ m + fill ⊙ (1 − m)</c>, <c>m</c> each row's input features from <paramref name="offset"/>.</summary>
    public static void Mask(Index1D i, ArrayView<float> x, ArrayView<float> input, ArrayView<float> y, int outputs, int inputs, int offset, float fill)
    {
        long row = i / outputs;
        float m = input[(row * inputs) + offset + (i - (row * outputs))];
        y[i] = (x[i] * m) + (fill * (1f - m));
    }

    /// <summary>
    /// One group of one row: the first index of its largest value (a NaN counts as the largest),
    /// or with <paramref name="last"/> 1 the last, as a float; group <c>g</c> is the features
    /// <c>[bounds[g], bounds[g + 1])</c>.
    /// </summary>
    public static void ArgMax(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> bounds, int inputs, int groups, int last)
    {
        long row = i / groups;
        int g = (int)(i - (row * groups));
        int start = (int)bounds[g];
        int end = (int)bounds[g + 1];
        long at = row * inputs;
        int step = last != 0 ? -1 : 1;
        int best = last != 0 ? end - 1 : start;
        float largest = x[at + best];
        for (int k = best; k >= start && k < end && !float.IsNaN(largest); k += step)
        {
            float v = x[at + k];
            if (v > largest || float.IsNaN(v))
            {
                best = k;
                largest = v;
            }
        }

        y[i] = best - start;
    }

    /// <summary><c>y = a + b</c> (a residual connection).</summary>
    public static void Add(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y) => y[i] = a[i] + b[i];

    /// <summary><c>h = silu(gate) ⊙ up</c>, the gating of a SwiGLU block.</summary>
    public static void SwiGluGate(Index1D i, ArrayView<float> gate, ArrayView<float> up, ArrayView<float> h)
    {
        float g = gate[i];
        h[i] = g * Sigmoid(g) * up[i];
    }

    /// <summary>Inference batch norm with folded constants: <c>y = x ⊙ scale + shift</c> per feature.</summary>
    public static void BatchNorm(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> scale, ArrayView<float> shift, int size)
    {
        int j = i.X % size;
        y[i] = (x[i] * scale[j]) + shift[j];
    }

    /// <summary>Softmax (<paramref name="log"/> = 0) or log-softmax (1) of each row, one thread per row.</summary>
    public static void Softmax(Index1D row, ArrayView<float> x, ArrayView<float> y, int size, int log)
    {
        long start = (long)row.X * size;
        float max = x[start];
        for (int j = 1; j < size; j++)
        {
            max = Math.Max(max, x[start + j]);
        }

        double sum = 0;
        for (int j = 0; j < size; j++)
        {
            sum += MathF.Exp(x[start + j] - max);
        }

        if (log != 0)
        {
            float logSum = (float)Math.Log(sum);
            for (int j = 0; j < size; j++)
            {
                y[start + j] = (x[start + j] - max) - logSum;
            }
        }
        else
        {
            float scale = (float)sum;
            for (int j = 0; j < size; j++)
            {
                y[start + j] = MathF.Exp(x[start + j] - max) / scale;
            }
        }
    }

    /// <summary>
    /// Layer norm (<paramref name="rms"/> = 0) or RMS norm (1) of each row, one thread per row,
    /// statistics in double. Absent affine tensors are flagged by <paramref name="affine"/>
    /// (bit 0 weight, bit 1 bias).
    /// </summary>
    public static void Norm(Index1D row, ArrayView<float> x, ArrayView<float> y, ArrayView<float> weight, ArrayView<float> bias, int size, int rms, int affine, double epsilon)
    {
        long start = (long)row.X * size;
        double mean = 0;
        if (rms == 0)
        {
            double total = 0;
            for (int j = 0; j < size; j++)
            {
                total += x[start + j];
            }

            mean = total / size;
        }

        double squares = 0;
        for (int j = 0; j < size; j++)
        {
            double d = x[start + j] - mean;
            squares += d * d;
        }

        double inverse = 1.0 / Math.Sqrt((squares / size) + epsilon);
        for (int j = 0; j < size; j++)
        {
            double v = (x[start + j] - mean) * inverse;
            if ((affine & 1) != 0)
            {
                v *= weight[j];
            }

            if ((affine & 2) != 0)
            {
                v += bias[j];
            }

            y[start + j] = (float)v;
        }
    }

    /// <summary>Adds <paramref name="value"/> to a compensated sum (Neumaier's variant of Kahan's).</summary>
    private static void Neumaier(ref float sum, ref float compensation, float value)
    {
        float t = sum + value;
        compensation += Math.Abs(sum) >= Math.Abs(value) ? (sum - t) + value : (value - t) + sum;
        sum = t;
    }

    /// <summary>The activation of <paramref name="v"/>; <paramref name="alpha"/> and <paramref name="beta"/> are its parameters in the catalogue's order (clip's bounds, softplus's β and threshold).</summary>
    private static float Activate(float v, int activation, float alpha, float beta)
    {
        switch ((GpuActivation)activation)
        {
            case GpuActivation.Relu:
                return v > 0f ? v : (float.IsNaN(v) ? v : 0f);
            case GpuActivation.LeakyRelu:
                return v >= 0f ? v : alpha * v;
            case GpuActivation.Gelu:
                return Gelu(v);
            case GpuActivation.GeluTanh:
                // ½x(1 + tanh u) = x·sigmoid(2u), which does not cancel for large negative x.
                return v * Sigmoid(2f * 0.7978845608f * (v + (0.044715f * v * v * v)));
            case GpuActivation.Silu:
                return v * Sigmoid(v);
            case GpuActivation.Sigmoid:
                return Sigmoid(v);
            case GpuActivation.Tanh:
                return MathF.Tanh(v);
            case GpuActivation.Elu:
                return v > 0f ? v : alpha * (MathF.Exp(v) - 1f);
            case GpuActivation.Selu:
                return 1.05070102f * (v > 0f ? v : 1.67326319f * (MathF.Exp(v) - 1f));
            case GpuActivation.Softplus:
                return alpha * v > beta ? v : Softplus(alpha * v) / alpha;
            case GpuActivation.Mish:
                return v * MathF.Tanh(v > 20f ? v : Softplus(v));
            case GpuActivation.HardSigmoid:
                return Clamp((alpha * v) + beta, 0f, 1f);
            case GpuActivation.HardSwish:
                return v * Clamp(v + 3f, 0f, 6f) / 6f;
            case GpuActivation.Clip:
                return Clamp(v, alpha, beta);
            default:
                return v;
        }
    }

    /// <summary><c>min(max(v, lo), hi)</c>, NaN passing through, as <c>torch.clamp</c>.</summary>
    private static float Clamp(float v, float lo, float hi)
    {
        float m = v < lo ? lo : v;
        return m > hi ? hi : m;
    }

    /// <summary><c>log(1 + eᶻ)</c> without overflow.</summary>
    private static float Softplus(float z) => Math.Max(z, 0f) + MathF.Log(1f + MathF.Exp(-Math.Abs(z)));

    private static float Sigmoid(float x)
    {
        if (x >= 0f)
        {
            return 1f / (1f + MathF.Exp(-x));
        }

        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    /// <summary>
    /// Exact GELU, <c>½x·erfc(−x/√2)</c>, with the Numerical Recipes erfc fit that
    /// <c>NetGen.Runtime.SpecialFunctions</c> uses (relative error below 1.2e-7).
    /// </summary>
    private static float Gelu(float x)
    {
        float a = Math.Abs(x) * 0.707106781f;
        float t = 1f / (1f + (0.5f * a));
        float p = 0.17087277f;
        p = (p * t) - 0.82215223f;
        p = (p * t) + 1.48851587f;
        p = (p * t) - 1.13520398f;
        p = (p * t) + 0.27886807f;
        p = (p * t) - 0.18628806f;
        p = (p * t) + 0.09678418f;
        p = (p * t) + 0.37409196f;
        p = (p * t) + 1.00002368f;
        p = (p * t) - 1.26551223f;
        float r = t * MathF.Exp(p - (a * a));
        return 0.5f * x * (x > 0f ? 2f - r : r);
    }
}
