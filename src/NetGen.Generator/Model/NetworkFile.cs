namespace NetGen.Generator.Model;

/// <summary>
/// A description file after reading and checking: the checked network when it has no errors,
/// and its diagnostics either way.
/// </summary>
/// <remarks>
/// Equality contract: value equality. The checked network holds no source positions, so an edit
/// that changes only whitespace leaves an error-free file's model equal and the output cached.
/// </remarks>
internal sealed record NetworkFile(string Path, CheckedNetwork? Network, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// A class that carries [Network], read from its symbol: the target, or why it cannot be one.
/// A network described by attributes is read right here, since its layers live on the class:
/// <see cref="Spec"/>, checked later by the same checker as a file's.
/// </summary>
internal sealed record TargetResult(NetworkTarget? Target, NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A class bound to its checked description: what to plan, if anything, and what to report.</summary>
internal sealed record UnitResult(NetworkUnit? Unit, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// A class with its plan: what to emit, if anything, and what to report. <see cref="Target"/>
/// holds no source range (the diagnostics have theirs), so moving the class's text leaves an
/// error-free result equal and the generated code cached.
/// </summary>
internal sealed record PlanResult(NetworkTarget? Target, Lowering.NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
