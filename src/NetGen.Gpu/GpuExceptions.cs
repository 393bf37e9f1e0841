using System;

namespace NetGen.Gpu;

/// <summary>No accelerator of the requested kind exists on this machine, or ILGPU could not start one.</summary>
public sealed class GpuUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GpuUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The accelerator has too little memory for a session's weights and buffers.</summary>
public sealed class GpuOutOfMemoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GpuOutOfMemoryException(string message, long requestedBytes, Exception? innerException = null)
        : base(message, innerException) => RequestedBytes = requestedBytes;

    /// <summary>The size of the allocation that failed, in bytes.</summary>
    public long RequestedBytes { get; }
}
