
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
/// What the compilation offers generated code: whether it references NetGen.Gpu; whether it
/// allows unsafe code and has <c>SkipLocalsInitAttribute</c>, so that the generated class can
/// skip zeroing its stack scratch (as the Regex generator does); the C# the code may be written
/// in; and whether <c>System.Runtime.Intrinsics</c> has <c>Vector512</c> (.NET 8 and later),
/// which vectorized loops are written with.
/// </summary>
/// <remarks>Equality contract: value equality.</remarks>
/// <param name="GpuReferenced">Whether NetGen.Gpu is referenced.</param>
/// <param name="SkipLocalsInit">Whether unsafe code is allowed and <c>SkipLocalsInitAttribute</c> exists.</param>
/// <param name="LanguageVersion">The C# version as a number (900 for C# 9), compared by number: this generator is built against Roslyn 4.3, whose enum stops before C# 12.</param>
/// <param name="InlineArrays">Whether <c>InlineArrayAttribute</c> exists (.NET 8 and later).</param>
/// <param name="Intrinsics">Whether <c>System.Runtime.Intrinsics.Vector512</c> exists (.NET 8 and later).</param>
internal sealed record CompilationFacts(bool GpuReferenced, bool SkipLocalsInit, int LanguageVersion = 1200, bool InlineArrays = true, bool Intrinsics = true)
{
    public static readonly CompilationFacts None = new(false, false);

    /// <summary>The oldest C# NetGen writes: what Unity compiles.</summary>
    public const int OldestLanguageVersion = 900;

    /// <summary>C# 12, the first with inline arrays.</summary>
    private const int InlineArrayLanguageVersion = 1200;

    /// <summary>Whether NetGen can write code this compilation compiles: C# 9 or later.</summary>
    public bool LanguageSupported => LanguageVersion >= OldestLanguageVersion;

    /// <summary>
    /// The C# generated code is written in: C# 12 where the language version and the framework
    /// (inline arrays) allow it, else C# 9.
    /// </summary>
    public OutputLanguage Language => LanguageVersion >= InlineArrayLanguageVersion && InlineArrays ? OutputLanguage.CSharp12 : OutputLanguage.CSharp9;

    /// <summary>The version as C# names it: 7.3, 9.0, 12.0 (Roslyn numbers C# 1 to 7 as 1 to 7, later ones as 701, 800, 900, ...).</summary>
    public string LanguageVersionText => LanguageVersion < 100
        ? string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}.0", LanguageVersion)
        : string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}.{1}", LanguageVersion / 100, LanguageVersion % 100);
}

/// <summary>The C# a class's generated code is written in.</summary>
internal enum OutputLanguage
{
    /// <summary>
    /// C# 9 on any framework (Unity, netstandard2.1): the Cache is a class of arrays allocated
    /// with it, and the weights are static arrays, which the compiler cannot map to spans over
    /// the assembly's data without <c>RuntimeHelpers.CreateSpan</c>.
    /// </summary>
    CSharp9,

    /// <summary>C# 12 on .NET 8 and later: the Cache is a struct of inline arrays, and the weights are spans over the assembly's data.</summary>
    CSharp12,
}
