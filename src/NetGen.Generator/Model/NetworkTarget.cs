namespace NetGen.Generator.Model;

/// <summary>
/// A class that asked for a network: where it is declared, and which description file it
/// names (<see cref="RequestedPath"/>, null for a network described by attributes), and the
/// attribute's overrides of the description's strategy and GPU placement.
/// </summary>
/// <remarks>Equality contract: value equality over every member.</remarks>
internal sealed record NetworkTarget(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string ClassName,
    string HintName,
    string? RequestedPath,
    CodeLocation PathLocation,
    NetworkStrategy Strategy = NetworkStrategy.Auto,
    GpuLayers? Gpu = null,
    long? GpuMinWeights = null,
    bool Trainable = false);

/// <summary>A place in C# source, as values: file path and ranges.</summary>
internal sealed record CodeLocation(string FilePath, SourceRange Range);

/// <summary>What the planner needs for one class: the class and its checked network.</summary>
internal sealed record NetworkUnit(NetworkTarget Target, CheckedNetwork Network);
