using System;
using ILGPU;
using ILGPU.Runtime;
using NetGen.Runtime;

namespace NetGen.Gpu;

/// <summary>One step of a session: what it reads and writes, where it runs, and its two implementations.</summary>
internal abstract class SessionStep(GpuStepInfo info, int[] inputs, int output)
{
    public GpuStepInfo Info { get; } = info;

    public bool OnDevice => Info.OnDevice;

    public int[] Inputs { get; } = inputs;

    public int Output { get; } = output;

    public abstract void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows);

    public abstract void RunHost(TensorSlot[] tensors, int rows);

    protected static ArrayView<float> DeviceView(TensorSlot tensor, int rows) => tensor.Device!.View.SubView(0, (long)rows * tensor.Size);

    protected static Span<float> HostSpan(TensorSlot tensor, int rows) => tensor.Host.AsSpan(0, rows * tensor.Size);

    /// <summary>The host arrays of a row-wise op's input and output, one row at a time.</summary>
    protected static void ForEachRow(TensorSlot x, TensorSlot y, int rows, RowAction action)
    {
        int n = x.Size;
        for (int row = 0; row < rows; row++)
        {
            action(x.Host.AsSpan(row * n, n), y.Host.AsSpan(row * n, n));
        }
    }

    protected delegate void RowAction(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>Uploads constants, or keeps a host copy (the spans the generated code passes live only during the call).</summary>
    protected static (MemoryBuffer1D<float, Stride1D.Dense>? Device, float[] Host) Constant(GpuResources? resources, ReadOnlySpan<float> values)
    {
        if (resources is null)
        {
            return (null, values.ToArray());
        }

        var buffer = resources.Allocate(values.Length);
        if (!values.IsEmpty)
        {
            buffer.View.SubView(0, values.Length).CopyFromCPU(resources.Stream, values);
        }

        return (buffer, Array.Empty<float>());
    }
}

/// <summary><c>y = act(x Wᵀ + b)</c> over a weight in the panel layout.</summary>
internal sealed class LinearStep : SessionStep
{
    /// <summary>At most this many rows run as matrix-vector products (no tiles, one thread per output).</summary>
    private const int RowsKernelLimit = 4;

    private readonly int _inputs;
    private readonly int _outputs;
    private readonly bool _hasBias;
    private readonly GpuActivation _activation;
    private readonly float _alpha;
    private readonly float _beta;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _deviceWeight;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _deviceBias;
    private readonly float[] _weight;
    private readonly float[] _bias;

    public LinearStep(GpuStepInfo info, int x, int y, int inputs, int outputs, ReadOnlySpan<float> packedWeight, ReadOnlySpan<float> bias, GpuActivation activation, float alpha, float beta, GpuResources? resources)
        : base(info, new[] { x }, y)
    {
        _inputs = inputs;
        _outputs = outputs;
        _hasBias = !bias.IsEmpty;
        _activation = activation;
        _alpha = alpha;
        _beta = beta;
        (_deviceWeight, _weight) = Constant(resources, packedWeight);
        (_deviceBias, _bias) = Constant(resources, bias);
    }

    public override void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows)
    {
        var shape = new LinearShape(rows, _inputs, _outputs, _hasBias, _activation, _alpha, _beta);
        var x = DeviceView(tensors[Inputs[0]], rows);
        var y = DeviceView(tensors[Output], rows);
        if (rows <= RowsKernelLimit || !device.UseTiledLinear)
        {
            device.Kernels.LinearRows(stream, _outputs, x, _deviceWeight!.View, _deviceBias!.View, y, shape);
            return;
        }

        var groups = new Index2D((_outputs + Kernels.Tile - 1) / Kernels.Tile, (rows + Kernels.Tile - 1) / Kernels.Tile);
        device.Kernels.LinearTiled(stream, new KernelConfig(groups, new Index2D(Kernels.Tile, Kernels.Tile)), x, _deviceWeight!.View, _deviceBias!.View, y, shape);
    }

    public override void RunHost(TensorSlot[] tensors, int rows)
    {
        var y = HostSpan(tensors[Output], rows);
        var epilogue = _activation == GpuActivation.Relu ? Epilogue.Relu : Epilogue.None;
        PackedLinear.ForwardBatch(_weight, _hasBias ? _bias : default, HostSpan(tensors[Inputs[0]], rows), y, _inputs, _outputs, epilogue);
        if (_activation is not (GpuActivation.None or GpuActivation.Relu))
        {
            ActivationStep.Apply(_activation, _alpha, _beta, y, y);
        }
    }
}

/// <summary>An element-wise activation, or a copy.</summary>
internal sealed class ActivationStep(GpuStepInfo info, int x, int y, GpuActivation activation, float alpha, float beta)
    : SessionStep(info, new[] { x }, y)
{
    public static void Apply(GpuActivation activation, float alpha, float beta, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (activation)
        {
            case GpuActivation.Relu: Activations.Relu(x, y); break;
            case GpuActivation.LeakyRelu: Activations.LeakyRelu(x, y, alpha); break;
            case GpuActivation.Gelu: Activations.Gelu(x, y); break;
            case GpuActivation.GeluTanh: Activations.GeluTanh(x, y); break;
            case GpuActivation.Silu: Activations.Silu(x, y); break;
            case GpuActivation.Sigmoid: Activations.Sigmoid(x, y); break;
            case GpuActivation.Tanh: Activations.Tanh(x, y); break;
            case GpuActivation.Elu: Activations.Elu(x, y, alpha); break;
            case GpuActivation.Selu: Activations.Selu(x, y); break;
            case GpuActivation.Softplus: Activations.Softplus(x, y, alpha, beta); break;
            case GpuActivation.Mish: Activations.Mish(x, y); break;
            case GpuActivation.HardSigmoid: Activations.HardSigmoid(x, y, alpha, beta); break;
            case GpuActivation.HardSwish: Activations.HardSwish(x, y); break;
            case GpuActivation.Clip: Activations.Clip(x, y, alpha, beta); break;
            default: Elementwise.Copy(x, y); break;
        }
    }

    public override void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows)
    {
        var x = DeviceView(tensors[Inputs[0]], rows);
        device.Kernels.Activation(stream, (int)x.Length, x, DeviceView(tensors[Output], rows), (int)activation, alpha, beta);
    }

    public override void RunHost(TensorSlot[] tensors, int rows) => Apply(activation, alpha, beta, HostSpan(tensors[Inputs[0]], rows), HostSpan(tensors[Output], rows));
}

/// <summary>Softmax or log-softmax of each row.</summary>
internal sealed class SoftmaxStep(GpuStepInfo info, int x, int y, bool log)
    : SessionStep(info, new[] { x }, y)
{
    public override void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows) =>
        device.Kernels.Softmax(stream, rows, DeviceView(tensors[Inputs[0]], rows), DeviceView(tensors[Output], rows), tensors[Output].Size, log ? 1 : 0);

    public override void RunHost(TensorSlot[] tensors, int rows) =>
        ForEachRow(tensors[Inputs[0]], tensors[Output], rows, log ? Activations.LogSoftmax : Activations.Softmax);
}

/// <summary>Layer norm or RMS norm of each row.</summary>
internal sealed class NormStep : SessionStep
{
    private readonly bool _rms;
    private readonly double _epsilon;
    private readonly int _affine;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _deviceWeight;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _deviceBias;
    private readonly float[] _weight;
    private readonly float[] _bias;

    public NormStep(GpuStepInfo info, int x, int y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, bool rms, double epsilon, GpuResources? resources)
        : base(info, new[] { x }, y)
    {
        _rms = rms;
        _epsilon = epsilon;
        _affine = (weight.IsEmpty ? 0 : 1) | (bias.IsEmpty ? 0 : 2);
        (_deviceWeight, _weight) = Constant(resources, weight);
        (_deviceBias, _bias) = Constant(resources, bias);
    }

    public override void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows) =>
        device.Kernels.Norm(stream, rows, DeviceView(tensors[Inputs[0]], rows), DeviceView(tensors[Output], rows), _deviceWeight!.View, _deviceBias!.View, tensors[Output].Size, _rms ? 1 : 0, _affine, _epsilon);

    public override void RunHost(TensorSlot[] tensors, int rows)
    {
        var x = tensors[Inputs[0]];
        var y = tensors[Output];
        int n = x.Size;
        for (int row = 0; row < rows; row++)
        {
            if (_rms)
            {
                Normalization.RmsNorm(x.Host.AsSpan(row * n, n), y.Host.AsSpan(row * n, n), _weight, _epsilon);
            }
            else
            {
                Normalization.LayerNorm(x.Host.AsSpan(row * n, n), y.Host.AsSpan(row * n, n), _weight, _bias, _epsilon);
            }
        }
    }
}

/// <summary>Inference batch norm with folded constants.</summary>
internal sealed class BatchNormStep : SessionStep
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _deviceScale;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _deviceShift;
    private readonly float[] _scale;
    private readonly float[] _shift;

    public BatchNormStep(GpuStepInfo info, int x, int y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, GpuResources? resources)
        : base(info, new[] { x }, y)
    {
        (_deviceScale, _scale) = Constant(resources, scale);
        (_deviceShift, _shift) = Constant(resources, shift);
    }

    public override void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows)
    {
        var x = DeviceView(tensors[Inputs[0]], rows);
        device.Kernels.BatchNorm(stream, (int)x.Length, x, DeviceView(tensors[Output], rows), _deviceScale!.View, _deviceShift!.View, tensors[Output].Size);
    }

    public override void RunHost(TensorSlot[] tensors, int rows)
    {
        var x = tensors[Inputs[0]];
        var y = tensors[Output];
        int n = x.Size;
        for (int row = 0; row < rows; row++)
        {
            Normalization.BatchNorm(x.Host.AsSpan(row * n, n), y.Host.AsSpan(row * n, n), _scale, _shift);
        }
    }
}

/// <summary><c>y = x[start : start + |y|]</c> of each row.</summary>
internal sealed class SliceStep(GpuStepInfo info, int x, int y, int start)
    : SessionStep(info, new[] { x }, y)
{
    public override void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows)
    {
        var y = DeviceView(tensors[Output], rows);
        device.Kernels.Slice(stream, (int)y.Length, DeviceView(tensors[Inputs[0]], rows), y, tensors[Inputs[0]].Size, tensors[Output].Size, start);
    }

    public override void RunHost(TensorSlot[] tensors, int rows)
    {
        var x = tensors[Inputs[0]];
        var y = tensors[Output];
        for (int row = 0; row < rows; row++)
        {
            Elementwise.Copy(x.Host.AsSpan((row * x.Size) + start, y.Size), y.Host.AsSpan(row * y.Size, y.Size));
        }
    }
}

/// <summary><c>y = x ⊙ m + fill ⊙ (1 − m)</c>, <c>m</c> each row's features of the input tensor from the offset.</summary>
internal sealed class MaskStep(GpuStepInfo info, int x, int input, int y, int offset, float fill)
    : SessionStep(info, new[] { x, input }, y)
{
    public override void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows)
    {
        var y = DeviceView(tensors[Output], rows);
        device.Kernels.Mask(stream, (int)y.Length, DeviceView(tensors[Inputs[0]], rows), DeviceView(tensors[Inputs[1]], rows), y, tensors[Output].Size, tensors[Inputs[1]].Size, offset, fill);
    }

    public override void RunHost(TensorSlot[] tensors, int rows) =>
        Elementwise.MaskRows(HostSpan(tensors[Inputs[0]], rows), HostSpan(tensors[Inputs[1]], rows), HostSpan(tensors[Output], rows), tensors[Output].Size, tensors[Inputs[1]].Size, offset, fill);
}

/// <summary>The first index of the largest value of each group of each row, as a float.</summary>
internal sealed class ArgMaxStep : SessionStep
{
    private readonly int[] _groups;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _deviceBounds;

    private readonly bool _last;

    public ArgMaxStep(GpuStepInfo info, int x, int y, int[] groups, bool last, GpuResources? resources)
        : base(info, new[] { x }, y)
    {
        _last = last;
        _groups = (int[])groups.Clone();
        var bounds = new float[groups.Length + 1];
        for (int g = 0; g < groups.Length; g++)
        {
            bounds[g + 1] = bounds[g] + groups[g];
        }

        (_deviceBounds, _) = Constant(resources, bounds);
    }

    public override void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows)
    {
        var y = DeviceView(tensors[Output], rows);
        device.Kernels.ArgMax(stream, (int)y.Length, DeviceView(tensors[Inputs[0]], rows), y, _deviceBounds!.View, tensors[Inputs[0]].Size, _groups.Length, _last ? 1 : 0);
    }

    public override void RunHost(TensorSlot[] tensors, int rows)
    {
        var x = tensors[Inputs[0]];
        var y = tensors[Output];
        for (int g = 0, start = 0; g < _groups.Length; start += _groups[g], g++)
        {
            Elementwise.ArgMaxRows(HostSpan(x, rows), HostSpan(y, rows), x.Size, start, _groups[g], y.Size, g, _last);
        }
    }
}

/// <summary><c>y = a + b</c> (residual) or <c>y = silu(a) ⊙ b</c> (SwiGLU's gate).</summary>
internal sealed class BinaryStep(GpuStepInfo info, int a, int b, int y, bool gate)
    : SessionStep(info, new[] { a, b }, y)
{
    public override void RunDevice(GpuResources device, AcceleratorStream stream, TensorSlot[] tensors, int rows)
    {
        var a = DeviceView(tensors[Inputs[0]], rows);
        var b = DeviceView(tensors[Inputs[1]], rows);
        var y = DeviceView(tensors[Output], rows);
        if (gate)
        {
            device.Kernels.SwiGluGate(stream, (int)a.Length, a, b, y);
        }
        else
        {
            device.Kernels.Add(stream, (int)a.Length, a, b, y);
        }
    }

    public override void RunHost(TensorSlot[] tensors, int rows)
    {
        var a = HostSpan(tensors[Inputs[0]], rows);
        var b = HostSpan(tensors[Inputs[1]], rows);
        var y = HostSpan(tensors[Output], rows);
        if (gate)
        {
            Elementwise.SwiGluGate(a, b, y);
        }
        else
        {
            Elementwise.Add(a, b, y);
        }
    }
}
