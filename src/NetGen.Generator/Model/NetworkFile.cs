using NetGen.Generator.Lowering;

namespace NetGen.Generator.Model;

/// <summary>
/// A description file after reading, checking and planning: its plan when it has no errors,
/// and its diagnostics either way.
/// </summary>
/// <remarks>
/// Equality contract: value equality. The plan holds no source positions, so an edit that
/// changes only whitespace leaves an error-free file's model equal and the output cached.
/// </remarks>
internal sealed record NetworkFile(string Path, NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// A class that carries [Network], read from its symbol: the target, or why it cannot be one.
/// A network described by attributes is planned right here: <see cref="Plan"/>.
/// </summary>
internal sealed record TargetResult(NetworkTarget? Target, Lowering.NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A class bound to its description: what to emit, if anything, and what to report.</summary>
internal sealed record UnitResult(NetworkUnit? Unit, EquatableArray<DiagnosticInfo> Diagnostics);
