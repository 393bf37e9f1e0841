using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>Where one step of a session runs, for logs and tests.</summary>
/// <param name="Name">The tensor the step writes, as the generated <c>Cache</c> names it.</param>
/// <param name="Op">What the step computes, e.g. <c>linear 1024→4096 + relu</c>.</param>
/// <param name="OnDevice">Whether the step runs on the accelerator (else on the CPU, with NetGen.Runtime's kernels).</param>
public sealed record GpuStepInfo(string Name, string Op, bool OnDevice);

/// <summary>
/// A network's weights on one accelerator and the buffers its batches run through: made by a
/// generated <c>CreateGpuSession</c>, which uploads the weights once. <see cref="ForwardBatch"/>
/// moves a tensor between host and device only where a step on one side reads a tensor the
/// other side wrote.
/// </summary>
/// <remarks>
/// A session is not thread-safe: use one per thread (sessions on one <see cref="GpuDevice"/>
/// are independent; each has its own stream and buffers). Calls allocate nothing on the managed
/// heap; batches longer than <see cref="MaxRows"/> run in blocks of that many rows.
/// </remarks>
public sealed class GpuSession : IDisposable
{
    private readonly GpuResources _resources;
    private readonly SessionStep[] _steps;
    private readonly TensorSlot[] _tensors;
    private readonly int _output;
    private bool _disposed;

    internal GpuSession(GpuDevice device, GpuResources resources, TensorSlot[] tensors, SessionStep[] steps, int output, int maxRows)
    {
        Device = device;
        _resources = resources;
        _tensors = tensors;
        _steps = steps;
        _output = output;
        MaxRows = maxRows;
        InputSize = tensors[GpuSessionBuilder.Input].Size;
        OutputSize = tensors[output].Size;
        Steps = steps.Select(s => s.Info).ToArray();
    }

    /// <summary>The device the session runs on.</summary>
    public GpuDevice Device { get; }

    /// <summary>The number of input features of one sample.</summary>
    public int InputSize { get; }

    /// <summary>The number of outputs of one sample.</summary>
    public int OutputSize { get; }

    /// <summary>The most rows one pass through the device buffers holds.</summary>
    public int MaxRows { get; }

    /// <summary>The steps in order, and where each runs.</summary>
    public IReadOnlyList<GpuStepInfo> Steps { get; }

    /// <summary>The accelerator memory the session holds (weights and buffers), in bytes; 0 once disposed.</summary>
    public long DeviceBytes => _resources.DeviceBytes;

    /// <summary>Runs the network on one sample.</summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        Runtime.Guard.Length(input.Length, InputSize, nameof(input));
        Runtime.Guard.Length(output.Length, OutputSize, nameof(output));
        ForwardBatch(input, output);
    }

    /// <summary>Runs the network on each row of a row-major batch <c>[rows, InputSize]</c>; zero rows do nothing.</summary>
    /// <exception cref="ArgumentException">The lengths are not whole rows, disagree on the row count, or overlap.</exception>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int rows = Runtime.Guard.BatchRows(inputs.Length, outputs.Length, InputSize, OutputSize, nameof(inputs), nameof(outputs));
        Runtime.Guard.NoOverlap(inputs, outputs, nameof(inputs), nameof(outputs));
        for (int start = 0; start < rows; start += MaxRows)
        {
            int count = Math.Min(MaxRows, rows - start);
            RunBlock(inputs.Slice(start * InputSize, count * InputSize), outputs.Slice(start * OutputSize, count * OutputSize), count);
        }
    }

    /// <summary>Releases the session's device memory. The <see cref="Device"/> stays open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _resources.Dispose();
    }

    private void RunBlock(ReadOnlySpan<float> input, Span<float> output, int rows)
    {
        var stream = _resources.Stream;
        foreach (var tensor in _tensors)
        {
            tensor.OnHost = false;
            tensor.OnDevice = false;
        }

        var first = _tensors[GpuSessionBuilder.Input];
        if (first.Device is { } deviceInput)
        {
            deviceInput.View.SubView(0, input.Length).CopyFromCPU(stream, input);
            first.OnDevice = true;
        }

        if (first.Host is { } hostInput)
        {
            input.CopyTo(hostInput);
            first.OnHost = true;
        }

        foreach (var step in _steps)
        {
            foreach (int index in step.Inputs)
            {
                var tensor = _tensors[index];
                long length = (long)rows * tensor.Size;
                if (step.OnDevice && !tensor.OnDevice)
                {
                    tensor.Device!.View.SubView(0, length).CopyFromCPU(stream, tensor.Host.AsSpan(0, (int)length));
                    tensor.OnDevice = true;
                }
                else if (!step.OnDevice && !tensor.OnHost)
                {
                    tensor.Device!.View.SubView(0, length).CopyToCPU(stream, tensor.Host.AsSpan(0, (int)length));
                    stream.Synchronize();
                    tensor.OnHost = true;
                }
            }

            if (step.OnDevice)
            {
                step.RunDevice(_resources, stream, _tensors, rows);
                _tensors[step.Output].OnDevice = true;
            }
            else
            {
                step.RunHost(_tensors, rows);
                _tensors[step.Output].OnHost = true;
            }
        }

        var last = _tensors[_output];
        if (last.OnDevice)
        {
            last.Device!.View.SubView(0, output.Length).CopyToCPU(stream, output);
            stream.Synchronize();
        }
        else
        {
            last.Host.AsSpan(0, output.Length).CopyTo(output);
        }
    }
}

/// <summary>A tensor's buffers: on the device, on the host, or both, each <c>MaxRows × Size</c> floats.</summary>
internal sealed class TensorSlot(int size)
{
    public int Size { get; } = size;

    public MemoryBuffer1D<float, Stride1D.Dense>? Device { get; set; }

    public float[]? Host { get; set; }

    /// <summary>Whether the device buffer holds the current block's values.</summary>
    public bool OnDevice { get; set; }

    /// <summary>Whether the host buffer holds the current block's values.</summary>
    public bool OnHost { get; set; }
}

/// <summary>The device memory and stream of one session; counts what it holds.</summary>
internal sealed class GpuResources : IDisposable
{
    private readonly List<MemoryBuffer> _buffers = new();
    private readonly GpuDevice _device;
    private readonly Accelerator _accelerator;
    private AcceleratorStream? _stream;

    public GpuResources(GpuDevice device)
    {
        _device = device;
        _accelerator = device.Accelerator;
        Kernels = device.Kernels;
        _stream = _accelerator.CreateStream();
    }

    public DeviceKernels Kernels { get; }

    public bool UseTiledLinear => _device.UseTiledLinear;

    public AcceleratorStream Stream => _stream ?? throw new ObjectDisposedException(nameof(GpuSession));

    public long DeviceBytes { get; private set; }

    /// <summary>The buffers allocated so far (disposed ones included), for tests.</summary>
    internal IReadOnlyList<MemoryBuffer> Buffers => _buffers;

    /// <summary>Allocates <paramref name="length"/> floats on the device, or says clearly that they do not fit.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Allocate(long length)
    {
        long bytes = checked(Math.Max(1, length) * sizeof(float));
        long free = Capacity - DeviceBytes;
        if (bytes > free)
        {
            throw OutOfMemory(bytes, null);
        }

        try
        {
            var buffer = _accelerator.Allocate1D<float>(Math.Max(1, length));
            _buffers.Add(buffer);
            DeviceBytes += bytes;
            return buffer;
        }
        catch (Exception e) when (e is AcceleratorException or OutOfMemoryException or ArgumentOutOfRangeException)
        {
            throw OutOfMemory(bytes, e);
        }
    }

    /// <summary>
    /// The device's memory; for the CPU accelerator, which reports no limit, the memory the
    /// process may use (so that an impossible session fails here, not by paging).
    /// </summary>
    private long Capacity => _accelerator.AcceleratorType == AcceleratorType.CPU
        ? Math.Min(_accelerator.MemorySize, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
        : _accelerator.MemorySize;

    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }

        _stream?.Dispose();
        _stream = null;
        DeviceBytes = 0;
    }

    private GpuOutOfMemoryException OutOfMemory(long bytes, Exception? inner) => new(
        string.Create(CultureInfo.InvariantCulture, $"{_accelerator.Name} ({_accelerator.AcceleratorType}) cannot allocate {bytes:N0} bytes: the session already holds {DeviceBytes:N0} of {Capacity:N0}. A smaller maxRows shrinks the activation buffers."),
        bytes,
        inner);
}
