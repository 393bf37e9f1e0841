using System;

namespace NetGen.Runtime;

/// <summary>
/// Scratch memory for networks whose intermediate tensors are too large for the stack.
/// Generated code uses <c>stackalloc</c> up to <see cref="StackLimit"/> floats and this
/// per-thread buffer beyond it: it is allocated on a thread's first call and grown when a
/// larger network needs it, so every later call allocates nothing.
/// </summary>
public static class Scratch
{
    /// <summary>The most floats generated code places on the stack (64 KiB).</summary>
    public const int StackLimit = Contract.StackLimit;

    [ThreadStatic]
    private static float[]? t_buffer;

    /// <summary>Returns this thread's scratch buffer, at least <paramref name="length"/> floats long.</summary>
    /// <remarks>The buffer is shared by every network on the thread: use it only within one call.</remarks>
    public static Span<float> ForThread(int length)
    {
        float[]? buffer = t_buffer;
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
            t_buffer = buffer;
        }

        return buffer.AsSpan(0, length);
    }
}
