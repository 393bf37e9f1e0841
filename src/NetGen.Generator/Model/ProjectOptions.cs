
namespace NetGen.Generator.Model;

/// <summary>
/// Settings for every network of a project, from MSBuild properties: <c>NetGenStrategy</c>
/// (<c>auto</c>, <c>unrolled</c>, <c>vectorized</c> or <c>kernel</c>) forces one code generation strategy over the
/// descriptions' own <c>strategy</c> keys, so that a test or benchmark project can build the same
/// networks under each strategy. A class's <c>[Network(Strategy = ...)]</c> still wins.
/// </summary>
/// <remarks>Equality contract: value equality; <see cref="InvalidStrategy"/> is the value when it is not one of the four.</remarks>
internal sealed record ProjectOptions(NetworkStrategy? Strategy, string? InvalidStrategy)
{
    /// <summary>The MSBuild property, as an analyzer config option.</summary>
    public const string StrategyProperty = "build_property.NetGenStrategy";

    public static readonly ProjectOptions None = new(null, null);

    /// <summary>Reads the property's value: empty or <c>auto</c> leave each description's choice alone.</summary>
    public static ProjectOptions Parse(string? strategy) => strategy?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => None,
        "unrolled" => new ProjectOptions(NetworkStrategy.Unrolled, null),
        "kernel" => new ProjectOptions(NetworkStrategy.Kernel, null),
        "vectorized" => new ProjectOptions(NetworkStrategy.Vectorized, null),
        _ => new ProjectOptions(null, strategy!.Trim()),
    };
}

/// <summary>
/// What the compilation offers generated code: whether it references NetGen.Gpu, and whether it
/// allows unsafe code and has <c>SkipLocalsInitAttribute</c>, so that the generated class can
/// skip zeroing its stack scratch (as the Regex generator does).
/// </summary>
/// <remarks>Equality contract: value equality.</remarks>
internal sealed record CompilationFacts(bool GpuReferenced, bool SkipLocalsInit)
{
    public static readonly CompilationFacts None = new(false, false);
}
