namespace NetGen;

/// <summary>
/// The numbers the generator and the runtime must agree on. This one file is compiled into both
/// (NetGen.Runtime and NetGen.Generator link it), so they cannot drift apart: generated code
/// packs weights, sizes its blocks and places scratch by the same constants the kernels use.
/// </summary>
internal static class Contract
{
    /// <summary>The number of weight rows in one packed panel.</summary>
    public const int PanelWidth = 16;

    /// <summary>The number of columns summed in float32 before the partial sum is added in double.</summary>
    public const int BlockLength = 64;

    /// <summary>The most floats generated code places on the stack (64 KiB); past it, a per-thread buffer.</summary>
    public const int StackLimit = 16 * 1024;
}
