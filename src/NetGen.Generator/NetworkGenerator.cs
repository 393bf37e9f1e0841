using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
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
                static (context, cancellationToken) => TargetReader.Read(context, cancellationToken))
            .WithTrackingName(TrackingNames.Targets);

        IncrementalValuesProvider<UnitResult> units = targets
            .Combine(files.Collect())
            .Select(static (pair, _) => Bind(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Units);

        // Layer attributes on a class without [Network] would otherwise be silently ignored.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> strayLayers = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is ClassDeclarationSyntax { AttributeLists.Count: > 0 } declaration && TargetReader.MayHaveLayerAttributes(declaration),
                static (context, cancellationToken) => TargetReader.ReadStrayLayers(context, cancellationToken))
            .Where(static diagnostics => !diagnostics.IsEmpty)
            .WithTrackingName(TrackingNames.StrayLayers);

        context.RegisterSourceOutput(strayLayers, static (context, diagnostics) => Report(context, diagnostics));

        // Whether NetGen.Gpu is referenced: networks with GPU layers then get CreateGpuSession.
        IncrementalValueProvider<bool> gpuReferenced = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName(GpuSessionBuilderName) is not null)
            .WithTrackingName(TrackingNames.GpuReference);

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

        context.RegisterSourceOutput(units.Combine(gpuReferenced).Combine(projectOptions), static (context, input) =>
        {
            var ((unit, gpu), options) = input;
            Report(context, unit.Diagnostics);
            if (unit.Unit is { } network)
            {
                if (!gpu && GpuSessionEmitter.Placement(network.Plan, network.Target) is not null)
                {
                    var location = network.Target.PathLocation;
                    context.ReportDiagnostic(ToDiagnostic(DiagnosticInfo.Create(
                        DiagnosticDescriptors.GpuPackageMissing.Id, location.FilePath, location.Range, network.Target.ClassName)));
                }

                context.AddSource(network.Target.HintName, NetworkEmitter.Emit(network, gpu, context.CancellationToken, options.Strategy));
            }
        });
    }

    /// <summary>The type whose presence means the compilation references NetGen.Gpu.</summary>
    private const string GpuSessionBuilderName = "NetGen.Gpu.GpuSessionBuilder";

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo info in diagnostics)
        {
            context.ReportDiagnostic(ToDiagnostic(info));
        }
    }
}
