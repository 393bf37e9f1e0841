namespace NetGen.Generator;

/// <summary>Names of the pipeline steps, for caching tests (<c>GeneratorDriverRunResult.Results[..].TrackedSteps</c>).</summary>
public static class TrackingNames
{
    /// <summary>Each *.netgen.json file read and checked.</summary>
    public const string Descriptions = nameof(Descriptions);

    /// <summary>Each class carrying [Network], read from its symbol.</summary>
    public const string Targets = nameof(Targets);

    /// <summary>Classes with layer attributes but no [Network], reported as such.</summary>
    public const string StrayLayers = nameof(StrayLayers);

    /// <summary>Each target bound to the description its path names (an attribute network checked here).</summary>
    public const string Units = nameof(Units);

    /// <summary>Each class's network planned, with the class's and the project's settings applied.</summary>
    public const string Plans = nameof(Plans);

    /// <summary>The project's weight files, from the build's NetGenWeightFiles property (one value per compilation).</summary>
    public const string WeightFiles = nameof(WeightFiles);

    /// <summary>The project-wide settings from MSBuild properties, such as NetGenStrategy (one value per compilation).</summary>
    public const string ProjectOptions = nameof(ProjectOptions);

    /// <summary>What the compilation offers generated code: NetGen.Gpu, SkipLocalsInit (one value per compilation).</summary>
    public const string CompilationFacts = nameof(CompilationFacts);
}
