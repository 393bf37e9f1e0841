
namespace NetGen.Generator.Model;

/// <summary>
/// A place in a description file: character offsets and zero-based line/column
/// positions, so diagnostics can point at it without holding any Roslyn text object.
/// </summary>
internal readonly record struct SourceRange(int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public static readonly SourceRange None = default;
}

/// <summary>
/// A diagnostic produced by a pipeline stage, as plain values: the descriptor id,
/// the file and range it points at, and the message arguments.
/// </summary>
/// <remarks>Equality contract: all members, element-wise for <see cref="Arguments"/>.</remarks>
internal sealed record DiagnosticInfo(string Id, string FilePath, SourceRange Range, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(string id, string filePath, SourceRange range, params string[] arguments) =>
        new(id, filePath, range, new EquatableArray<string>(arguments));
}
