using System;
using System.Linq;
using System.Threading;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace NetGen.Gpu;

/// <summary>
/// One ILGPU accelerator and the NetGen kernels compiled for it. Create one per process (or
/// per GPU) and pass it to the generated <c>CreateGpuSession</c>; it owns the ILGPU context
/// and accelerator unless it was made with <see cref="FromAccelerator"/>.
/// </summary>
/// <remarks>
/// Thread safety: the device may be shared by sessions on several threads; kernels are
/// compiled once, on first use, under a lock. Each session runs on its own accelerator stream.
/// </remarks>
public sealed class GpuDevice : IDisposable
{
    private readonly Context? _context;
    private readonly bool _ownsAccelerator;
    private readonly Lazy<DeviceKernels> _kernels;
    private int _disposed;

    private GpuDevice(Context? context, Accelerator accelerator, bool ownsAccelerator)
    {
        _context = context;
        Accelerator = accelerator;
        _ownsAccelerator = ownsAccelerator;
        Backend = accelerator.AcceleratorType switch
        {
            AcceleratorType.Cuda => GpuBackend.Cuda,
            AcceleratorType.OpenCL => GpuBackend.OpenCL,
            _ => GpuBackend.Cpu,
        };
        UseTiledLinear = Backend != GpuBackend.Cpu;
        _kernels = new Lazy<DeviceKernels>(() => new DeviceKernels(accelerator), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The accelerator the kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>Which kind of accelerator was picked: check it when <see cref="GpuBackend.Auto"/> may have fallen back to the CPU.</summary>
    public GpuBackend Backend { get; }

    /// <summary>The accelerator's name, as its driver reports it.</summary>
    public string Name => Accelerator.Name;

    /// <summary>The accelerator's memory, in bytes.</summary>
    public long MemorySize => Accelerator.MemorySize;

    /// <summary>
    /// Whether linear layers over more than a few rows use the shared-memory tiled kernel. The
    /// CPU accelerator simulates a group's barrier with OS threads (about 8 ms each here), so
    /// there the barrier-free matrix-vector kernel is far faster; tests turn the tiled one on.
    /// </summary>
    internal bool UseTiledLinear { get; set; }

    internal DeviceKernels Kernels
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _kernels.Value;
        }
    }

    /// <summary>
    /// Opens an accelerator. <see cref="GpuBackend.Auto"/> takes the first CUDA device, else the
    /// first OpenCL device, else ILGPU's CPU accelerator; any other value takes the first device
    /// of that kind or throws.
    /// </summary>
    /// <exception cref="GpuUnavailableException">No device of the requested kind, or ILGPU failed to start.</exception>
    public static GpuDevice Create(GpuBackend backend = GpuBackend.Auto)
    {
        Context context;
        try
        {
            // The CPU accelerator simulates groups of 256 threads (16 warps of 16), as the tiled
            // linear kernel needs, on one simulated multiprocessor per core.
            context = Context.Create(builder => builder.Cuda().OpenCL().CPU(new CPUDevice(16, 16, Environment.ProcessorCount)));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new GpuUnavailableException($"ILGPU could not start: {e.Message}", e);
        }

        try
        {
            Device? device = backend switch
            {
                GpuBackend.Cuda => First(context, AcceleratorType.Cuda),
                GpuBackend.OpenCL => First(context, AcceleratorType.OpenCL),
                GpuBackend.Cpu => First(context, AcceleratorType.CPU),
                _ => First(context, AcceleratorType.Cuda) ?? First(context, AcceleratorType.OpenCL) ?? First(context, AcceleratorType.CPU),
            };
            if (device is null)
            {
                throw new GpuUnavailableException(
                    $"No {Describe(backend)} device was found. Devices ILGPU sees here: {string.Join(", ", context.Devices.Select(d => $"{d.Name} ({d.AcceleratorType})"))}.");
            }

            return new GpuDevice(context, device.CreateAccelerator(context), ownsAccelerator: true);
        }
        catch (GpuUnavailableException)
        {
            context.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context.Dispose();
            throw new GpuUnavailableException($"ILGPU could not open a {Describe(backend)} device: {e.Message}", e);
        }
    }

    /// <summary>Wraps an accelerator the caller created and keeps owning (disposing the device leaves it open).</summary>
    public static GpuDevice FromAccelerator(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        return new GpuDevice(null, accelerator, ownsAccelerator: false);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Backend})";

    /// <summary>Releases the accelerator and the ILGPU context, if this device created them.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_ownsAccelerator)
        {
            Accelerator.Dispose();
            _context?.Dispose();
        }
    }

    private static Device? First(Context context, AcceleratorType type) =>
        context.Devices.FirstOrDefault(d => d.AcceleratorType == type);

    private static string Describe(GpuBackend backend) => backend switch
    {
        GpuBackend.Cuda => "CUDA",
        GpuBackend.OpenCL => "OpenCL",
        GpuBackend.Cpu => "CPU accelerator",
        _ => "ILGPU",
    };
}

/// <summary>The kernels, compiled for one accelerator. Each takes the stream it runs on.</summary>
internal sealed class DeviceKernels
{
    public DeviceKernels(Accelerator accelerator)
    {
        LinearTiled = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LinearShape>(Kernels.LinearTiled);
        LinearRows = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LinearShape>(Kernels.LinearRows);
        Activation = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float, float>(Kernels.Activation);
        Add = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Kernels.Add);
        Slice = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(Kernels.Slice);
        Mask = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float>(Kernels.Mask);
        ArgMax = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(Kernels.ArgMax);
        SwiGluGate = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Kernels.SwiGluGate);
        BatchNorm = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(Kernels.BatchNorm);
        Softmax = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(Kernels.Softmax);
        Norm = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, double>(Kernels.Norm);
    }

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LinearShape> LinearTiled { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LinearShape> LinearRows { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, float, float> Activation { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Add { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int, int> Slice { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, float> Mask { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> ArgMax { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> SwiGluGate { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> BatchNorm { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int> Softmax { get; }

    public Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, double> Norm { get; }
}
