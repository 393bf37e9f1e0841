using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Reading;

namespace NetGen.Generator;

/// <summary>
/// Compiles each class marked <c>[Network("x.netgen.json")]</c> into a static, allocation-free
/// <c>Forward</c>. The pipeline only: the stages live in Reading, Checking, Lowering and Emit.
/// </summary>
/// <remarks>
/// Two inputs meet here: every <c>*.netgen.json</c> AdditionalFiles item (read, checked and
/// planned on its own, so its diagnostics are reported once even if no class names it), and
/// every class carrying the attribute. Each class is bound to the one file its path names.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class NetworkGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Weight files ("file" tensors) are measured and embedded by the build, which passes
        // their lengths and resource names in one property; the generator never opens them.
        IncrementalValueProvider<WeightFiles> weightFiles = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => WeightFiles.Parse(options.GlobalOptions.TryGetValue(WeightFiles.PropertyName, out string? value) ? value : null))
            .WithTrackingName(TrackingNames.WeightFiles);

        IncrementalValuesProvider<NetworkFile> files = context.AdditionalTextsProvider
            .Where(static text => IsDescription(text.Path))
            .Combine(weightFiles)
            .Select(static (pair, cancellationToken) => CompileDescription(pair.Left.Path, pair.Left.GetText(cancellationToken)?.ToString(), pair.Right.Find, cancellationToken))
            .WithTrackingName(TrackingNames.Descriptions);

        context.RegisterSourceOutput(files, static (context, file) => Report(context, file.Diagnostics));

        IncrementalValuesProvider<TargetResult> targets = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                TargetReader.AttributeName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (context, cancellationToken) => ReadTarget(context, cancellationToken))
            .WithTrackingName(TrackingNames.Targets);

        IncrementalValuesProvider<UnitResult> units = targets
            .Combine(files.Collect())
            .Select(static (pair, cancellationToken) => Bind(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(TrackingNames.Units);

        // Layer attributes on a class without [Network] would otherwise be silently ignored.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> strayLayers = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is ClassDeclarationSyntax { AttributeLists.Count: > 0 } declaration && TargetReader.MayHaveLayerAttributes(declaration),
                static (context, cancellationToken) => TargetReader.ReadStrayLayers(context, cancellationToken))
            .Where(static diagnostics => !diagnostics.IsEmpty)
            .WithTrackingName(TrackingNames.StrayLayers);

        context.RegisterSourceOutput(strayLayers, static (context, diagnostics) => Report(context, diagnostics));

        // What the compilation offers generated code: NetGen.Gpu (networks with GPU layers then get
        // CreateGpuSession), unsafe code with SkipLocalsInit (scratch is then not zeroed per call),
        // C# 12 with inline arrays or only C# 9 (Unity), and .NET 8's Vector512 for vectorized loops.
        IncrementalValueProvider<CompilationFacts> compilationFacts = context.CompilationProvider
            .Select(static (compilation, _) => new CompilationFacts(
                compilation.GetTypeByMetadataName(GpuSessionBuilderName) is not null,
                compilation.Options is CSharpCompilationOptions { AllowUnsafe: true } && compilation.GetTypeByMetadataName(SkipLocalsInitName) is not null,
                LanguageVersionOf(compilation),
                compilation.GetTypeByMetadataName(InlineArrayName) is not null,
                compilation.GetTypeByMetadataName(Vector512Name) is not null))
            .WithTrackingName(TrackingNames.CompilationFacts);

        // NetGenStrategy: one strategy for every network of the project (a class's attribute wins).
        IncrementalValueProvider<ProjectOptions> projectOptions = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => ProjectOptions.Parse(options.GlobalOptions.TryGetValue(ProjectOptions.StrategyProperty, out string? value) ? value : null))
            .WithTrackingName(TrackingNames.ProjectOptions);

        context.RegisterSourceOutput(projectOptions, static (context, options) =>
        {
            if (options.InvalidStrategy is { } invalid)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidStrategyProperty, Location.None, invalid));
            }
        });

        // Every decision for one class, in one step: strategy, fusion, placement, storage, buffers.
        IncrementalValuesProvider<PlanResult> plans = units
            .Combine(compilationFacts)
            .Combine(projectOptions)
            .Select(static (input, cancellationToken) => PlanUnit(input.Left.Left, input.Left.Right, input.Right, cancellationToken))
            .WithTrackingName(TrackingNames.Plans);

        context.RegisterSourceOutput(plans, static (context, result) =>
        {
            Report(context, result.Diagnostics);
            if (result is { Target: { } target, Plan: { } plan })
            {
                var diagnostics = new System.Collections.Generic.List<DiagnosticInfo>();
                string? source = Guarded(target.PathLocation.FilePath, target.PathLocation.Range, diagnostics, () => NetworkEmitter.Emit(target, plan, context.CancellationToken));
                Report(context, diagnostics.ToEquatableArray());
                if (source is not null)
                {
                    context.AddSource(target.HintName, source);
                }
            }
        });
    }

    /// <summary>The type whose presence means the compilation references NetGen.Gpu.</summary>
    private const string GpuSessionBuilderName = "NetGen.Gpu.GpuSessionBuilder";

    /// <summary>The attribute that stops locals (stackalloc scratch included) being zeroed; .NET 5 and later.</summary>
    private const string SkipLocalsInitName = "System.Runtime.CompilerServices.SkipLocalsInitAttribute";

    /// <summary>The attribute of C# 12's inline arrays; .NET 8 and later.</summary>
    private const string InlineArrayName = "System.Runtime.CompilerServices.InlineArrayAttribute";

    /// <summary>The widest vector the vectorized loops use; .NET 8 and later.</summary>
    private const string Vector512Name = "System.Runtime.Intrinsics.Vector512`1";

    /// <summary>The compilation's C# version as a number (900 for C# 9), or 0 for another language.</summary>
    internal static int LanguageVersionOf(Compilation compilation) =>
        compilation is CSharpCompilation csharp ? (int)csharp.LanguageVersion : 0;

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo info in diagnostics)
        {
            context.ReportDiagnostic(ToDiagnostic(info));
        }
    }
}
