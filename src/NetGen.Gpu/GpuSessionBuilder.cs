using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen.Gpu;

/// <summary>
/// Assembles a <see cref="GpuSession"/> step by step. Generated <c>CreateGpuSession</c> methods
/// call it, one call per step of the network's plan, with the same weight data the CPU code
/// reads; a step on the device uploads its constants at once. Not meant to be called by hand.
/// </summary>
/// <remarks>
/// Dispose the builder (a <c>using</c>) so that a failure half way, such as
/// <see cref="GpuOutOfMemoryException"/>, releases what was uploaded; after
/// <see cref="Build"/> the session owns it all and disposing the builder does nothing.
/// </remarks>
public sealed class GpuSessionBuilder : IDisposable
{
    /// <summary>The id of the network's input tensor.</summary>
    public const int Input = 0;

    private readonly GpuDevice _device;
    private readonly int _maxRows;
    private readonly List<TensorSlot> _tensors = new();
    private readonly List<string> _names = new();
    private readonly List<SessionStep> _steps = new();
    private GpuResources? _resources;

    /// <summary>Starts a session for a network of <paramref name="inputSize"/> inputs.</summary>
    /// <param name="device">The accelerator.</param>
    /// <param name="inputSize">The number of input features of one sample.</param>
    /// <param name="maxRows">The most rows one pass holds; device buffers are sized for it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxRows"/> or <paramref name="inputSize"/> is not positive.</exception>
    public GpuSessionBuilder(GpuDevice device, int inputSize, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        _device = device;
        _maxRows = maxRows;
        _resources = new GpuResources(device);
        Tensor("input", inputSize);
    }

    /// <summary>Declares a tensor of <paramref name="size"/> floats per sample; returns its id.</summary>
    public int Tensor(string name, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _tensors.Add(new TensorSlot(size));
        _names.Add(name);
        return _tensors.Count - 1;
    }

    /// <summary><c>y = act(x Wᵀ + b)</c>, with <paramref name="packedWeight"/> in <c>NetGen.Runtime.PackedLinear</c>'s panel layout; an empty <paramref name="bias"/> is none.</summary>
    public void Linear(int x, int y, int inputs, int outputs, ReadOnlySpan<float> packedWeight, ReadOnlySpan<float> bias, GpuActivation activation, float alpha, bool onDevice) =>
        Linear(x, y, inputs, outputs, packedWeight, bias, activation, alpha, 0f, onDevice);

    /// <summary>
    /// <c>y = act(x Wᵀ + b)</c> for an activation of two parameters (<paramref name="alpha"/> and
    /// <paramref name="beta"/> in the order <see cref="GpuActivation"/> gives them), with
    /// <paramref name="packedWeight"/> in <c>NetGen.Runtime.PackedLinear</c>'s panel layout; an empty <paramref name="bias"/> is none.
    /// </summary>
    public void Linear(int x, int y, int inputs, int outputs, ReadOnlySpan<float> packedWeight, ReadOnlySpan<float> bias, GpuActivation activation, float alpha, float beta, bool onDevice)
    {
        Check(x, inputs);
        Check(y, outputs);
        Runtime.Guard.Length(packedWeight.Length, Runtime.PackedLinear.PackedLength(outputs, inputs), nameof(packedWeight));
        if (!bias.IsEmpty)
        {
            Runtime.Guard.Length(bias.Length, outputs, nameof(bias));
        }

        string op = string.Create(CultureInfo.InvariantCulture, $"linear {inputs}→{outputs}{(activation == GpuActivation.None ? string.Empty : " + " + Name(activation))}");
        Add(new LinearStep(Info(y, op, onDevice), x, y, inputs, outputs, packedWeight, bias, activation, alpha, beta, onDevice ? Resources : null));
    }

    /// <summary><c>y = act(x)</c> element by element (<see cref="GpuActivation.None"/> copies).</summary>
    public void Activation(int x, int y, GpuActivation activation, float alpha, bool onDevice) => Activation(x, y, activation, alpha, 0f, onDevice);

    /// <summary><c>y = act(x)</c> element by element for an activation of two parameters, in the order <see cref="GpuActivation"/> gives them.</summary>
    public void Activation(int x, int y, GpuActivation activation, float alpha, float beta, bool onDevice)
    {
        CheckSame(x, y);
        Add(new ActivationStep(Info(y, activation == GpuActivation.None ? "copy" : Name(activation), onDevice), x, y, activation, alpha, beta));
    }

    /// <summary>Softmax, or log-softmax, of each row.</summary>
    public void Softmax(int x, int y, bool log, bool onDevice)
    {
        CheckSame(x, y);
        Add(new SoftmaxStep(Info(y, log ? "log_softmax" : "softmax", onDevice), x, y, log));
    }

    /// <summary>Layer norm of each row; empty affine spans are absent.</summary>
    public void LayerNorm(int x, int y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, double epsilon, bool onDevice)
    {
        CheckSame(x, y);
        Add(new NormStep(Info(y, "layer_norm", onDevice), x, y, weight, bias, rms: false, epsilon, onDevice ? Resources : null));
    }

    /// <summary>RMS norm of each row; an empty weight is absent.</summary>
    public void RmsNorm(int x, int y, ReadOnlySpan<float> weight, double epsilon, bool onDevice)
    {
        CheckSame(x, y);
        Add(new NormStep(Info(y, "rms_norm", onDevice), x, y, weight, default, rms: true, epsilon, onDevice ? Resources : null));
    }

    /// <summary>Inference batch norm with constants folded at build time: <c>y = x ⊙ scale + shift</c>.</summary>
    public void BatchNorm(int x, int y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, bool onDevice)
    {
        CheckSame(x, y);
        Add(new BatchNormStep(Info(y, "batch_norm", onDevice), x, y, scale, shift, onDevice ? Resources : null));
    }

    /// <summary><c>y = x ⊙ scale + shift</c> with constants (the format's affine).</summary>
    public void Affine(int x, int y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, bool onDevice)
    {
        CheckSame(x, y);
        Add(new BatchNormStep(Info(y, "affine", onDevice), x, y, scale, shift, onDevice ? Resources : null));
    }

    /// <summary><c>y = x[start : start + |y|]</c> of each row (the format's slice).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A tensor id is unknown, or <paramref name="y"/>'s size does not fit in <paramref name="x"/>'s from <paramref name="start"/>.</exception>
    public void Slice(int x, int y, int start, bool onDevice)
    {
        Check(y, (uint)y < (uint)_tensors.Count ? _tensors[y].Size : 0);
        Check(x, (uint)x < (uint)_tensors.Count ? _tensors[x].Size : 0);
        if (start < 0 || start + _tensors[y].Size > _tensors[x].Size)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Expected a start from 0 to {_tensors[x].Size - _tensors[y].Size}, so that {_tensors[y].Size} values fit in {_tensors[x].Size}.");
        }

        Add(new SliceStep(Info(y, "slice", onDevice), x, y, start));
    }

    /// <summary><c>y = x ⊙ m + fill ⊙ (1 − m)</c>, <c>m</c> the features of <paramref name="input"/> from <paramref name="offset"/> (the format's mask).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A tensor id is unknown, or <paramref name="y"/>'s size does not fit in <paramref name="input"/>'s from <paramref name="offset"/>.</exception>
    public void Mask(int x, int input, int y, int offset, float fill, bool onDevice)
    {
        CheckSame(x, y);
        Check(input, (uint)input < (uint)_tensors.Count ? _tensors[input].Size : 0);
        if (offset < 0 || offset + _tensors[y].Size > _tensors[input].Size)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Expected an offset from 0 to {_tensors[input].Size - _tensors[y].Size}, so that {_tensors[y].Size} values fit in {_tensors[input].Size}.");
        }

        Add(new MaskStep(Info(y, "mask", onDevice), x, input, y, offset, fill));
    }

    /// <summary>The first index of the largest value of each group of <paramref name="x"/>'s features, as a float (the format's argmax).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A tensor id is unknown, or the groups do not add up to <paramref name="x"/>'s size or are not one per feature of <paramref name="y"/>.</exception>
    /// <param name="x">The tensor read.</param>
    /// <param name="y">The indices written, one per group.</param>
    /// <param name="groups">The groups' sizes, in order.</param>
    /// <param name="last">Whether of equal largest values the last is picked (ONNX's <c>select_last_index</c>).</param>
    /// <param name="onDevice">Whether the step runs on the device.</param>
    public void ArgMax(int x, int y, int[] groups, bool last, bool onDevice)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Check(x, (uint)x < (uint)_tensors.Count ? _tensors[x].Size : 0);
        Check(y, (uint)y < (uint)_tensors.Count ? _tensors[y].Size : 0);
        long total = 0;
        foreach (int g in groups)
        {
            total += g > 0 ? g : throw new ArgumentOutOfRangeException(nameof(groups), g, "Expected group sizes of at least 1.");
        }

        if (total != _tensors[x].Size || groups.Length != _tensors[y].Size)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), $"Expected {_tensors[y].Size} groups whose sizes add up to {_tensors[x].Size}; found {groups.Length} adding up to {total}.");
        }

        Add(new ArgMaxStep(Info(y, "argmax", onDevice), x, y, groups, last, onDevice ? Resources : null));
    }

    /// <summary><c>y = a + b</c>, a residual connection.</summary>
    public void Add(int a, int b, int y, bool onDevice)
    {
        CheckSame(a, y);
        CheckSame(b, y);
        Add(new BinaryStep(Info(y, "add", onDevice), a, b, y, gate: false));
    }

    /// <summary><c>y = silu(gate) ⊙ up</c>, the gating of a SwiGLU block.</summary>
    public void SwiGluGate(int gate, int up, int y, bool onDevice)
    {
        CheckSame(gate, y);
        CheckSame(up, y);
        Add(new BinaryStep(Info(y, "swiglu gate", onDevice), gate, up, y, gate: true));
    }

    /// <summary>Allocates the tensors' buffers where their steps need them and hands everything to a session.</summary>
    /// <param name="output">The id of the network's output tensor.</param>
    public GpuSession Build(int output)
    {
        var resources = Resources;
        Check(output, _tensors[output].Size);
        var onDevice = new bool[_tensors.Count];
        var onHost = new bool[_tensors.Count];
        foreach (var step in _steps)
        {
            foreach (int index in step.Inputs)
            {
                (step.OnDevice ? onDevice : onHost)[index] = true;
            }

            (step.OnDevice ? onDevice : onHost)[step.Output] = true;
        }

        for (int i = 0; i < _tensors.Count; i++)
        {
            long length = (long)_maxRows * _tensors[i].Size;
            if (onDevice[i])
            {
                _tensors[i].Device = resources.Allocate(length);
            }

            // A tensor written on one side and read on the other needs both buffers; the host
            // side of a tensor only the device touches is never needed.
            if (onHost[i] || (i != Input && onDevice[i] && Crosses(i)))
            {
                _tensors[i].Host = new float[checked((int)length)];
            }
        }

        resources.Stream.Synchronize();
        _resources = null;
        return new GpuSession(_device, resources, _tensors.ToArray(), _steps.ToArray(), output, _maxRows);
    }

    /// <summary>Releases what was uploaded, unless <see cref="Build"/> handed it to a session.</summary>
    public void Dispose()
    {
        _resources?.Dispose();
        _resources = null;
    }

    private GpuResources Resources => _resources ?? throw new InvalidOperationException("The session was already built (or the builder disposed).");

    private static string Name(GpuActivation activation) => activation switch
    {
        GpuActivation.LeakyRelu => "leaky_relu",
        GpuActivation.GeluTanh => "gelu (tanh)",
        GpuActivation.HardSigmoid => "hard_sigmoid",
        GpuActivation.HardSwish => "hard_swish",
        _ => activation.ToString().ToLowerInvariant(),
    };

    /// <summary>Whether tensor <paramref name="index"/> is read on the other side from where it is written.</summary>
    private bool Crosses(int index)
    {
        bool writtenOnDevice = index != Input && _steps.Find(s => s.Output == index)?.OnDevice == true;
        foreach (var step in _steps)
        {
            if (Array.IndexOf(step.Inputs, index) >= 0 && step.OnDevice != writtenOnDevice)
            {
                return true;
            }
        }

        return false;
    }

    private GpuStepInfo Info(int y, string op, bool onDevice) => new(_names[y], op, onDevice);

    private void Add(SessionStep step) => _steps.Add(step);

    private void Check(int tensor, int size)
    {
        if ((uint)tensor >= (uint)_tensors.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(tensor), tensor, $"Expected a tensor id below {_tensors.Count}, from Tensor().");
        }

        if (_tensors[tensor].Size != size)
        {
            throw new ArgumentException($"Expected tensor '{_names[tensor]}' to have {size} floats per sample, but it has {_tensors[tensor].Size}.", nameof(tensor));
        }
    }

    private void CheckSame(int x, int y)
    {
        Check(y, (uint)y < (uint)_tensors.Count ? _tensors[y].Size : 0);
        Check(x, _tensors[y].Size);
    }
}
