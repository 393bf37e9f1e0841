namespace NetGen.Gpu;

/// <summary>Which ILGPU accelerator a <see cref="GpuDevice"/> runs on.</summary>
public enum GpuBackend
{
    /// <summary>
    /// The first CUDA device, else the first OpenCL device, else ILGPU's CPU accelerator
    /// (correct, but slower than NetGen's own CPU code: see <see cref="GpuDevice.Backend"/>).
    /// </summary>
    Auto,

    /// <summary>An NVIDIA GPU through CUDA.</summary>
    Cuda,

    /// <summary>A GPU through OpenCL 2.0 or later.</summary>
    OpenCL,

    /// <summary>ILGPU's CPU accelerator, which runs kernels on CPU threads (for tests and machines without a GPU).</summary>
    Cpu,
}
