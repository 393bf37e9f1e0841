using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Checking;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Reading;

namespace NetGen.Generator;

public sealed partial class NetworkGenerator
{
    /// <summary>The file name suffix of network descriptions.</summary>
    public const string DescriptionSuffix = ".netgen.json";

    /// <summary>
    /// The suffix Unity requires of the additional files it passes a generator:
    /// <c>Name.[analyzer assembly name].additionalfile</c>, so <c>lesson.NetGen.Generator.additionalfile</c>
    /// (or <c>lesson.netgen.json.NetGen.Generator.additionalfile</c>) is the description <c>lesson.netgen.json</c>.
    /// </summary>
    public const string UnitySuffix = ".NetGen.Generator.additionalfile";

    internal static bool IsDescription(string path) =>
        path.EndsWith(DescriptionSuffix, StringComparison.OrdinalIgnoreCase) || path.EndsWith(UnitySuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The path a class's <c>[Network("...")]</c> is matched against: the file's own, or for a Unity-named file, the description it stands for.</summary>
    internal static string DescriptionPath(string path)
    {
        if (!path.EndsWith(UnitySuffix, StringComparison.OrdinalIgnoreCase))
        {
            return path;
        }

        string name = path.Substring(0, path.Length - UnitySuffix.Length);
        return name.EndsWith(DescriptionSuffix, StringComparison.OrdinalIgnoreCase) ? name : name + DescriptionSuffix;
    }

    /// <summary>Read and check one description: a pure function of its path, its text and the weight files it may name.</summary>
    /// <param name="path">The description's full path.</param>
    /// <param name="text">Its text; null when it could not be read.</param>
    /// <param name="findWeightFile">What the build knows of the weight file at a full path (null: no such file).</param>
    /// <param name="cancellationToken">Cancels the build.</param>
    internal static NetworkFile CompileDescription(string path, string? text, Func<string, WeightFile?> findWeightFile, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        CheckedNetwork? network = null;
        if (text is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MalformedJson.Id, path, SourceRange.None, "a readable text file", "a file that could not be read"));
        }
        else
        {
            network = Guarded(path, SourceRange.None, diagnostics, () =>
            {
                int before = diagnostics.Count;
                return JsonNetworkReader.Read(path, text, findWeightFile, diagnostics, cancellationToken) is { } spec
                    ? NetworkChecker.Check(spec, diagnostics, cancellationToken, readingFailed: diagnostics.Count > before)
                    : null;
            });
        }

        return new NetworkFile(path, network, InFileOrder(diagnostics));
    }

    /// <summary>Reads a class carrying [Network] (and an attribute network's layers).</summary>
    private static TargetResult ReadTarget(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var where = context.TargetNode is ClassDeclarationSyntax declaration ? declaration.Identifier.GetLocation() : context.TargetNode.GetLocation();
        var range = where.GetLineSpan();
        var result = Guarded(range.Path ?? string.Empty, ToRange(where), diagnostics, () => TargetReader.Read(context, cancellationToken));
        return result ?? new TargetResult(null, null, diagnostics.ToEquatableArray());
    }

    /// <summary>Plans one class: every decision, applied with the class's and the project's settings.</summary>
    internal static PlanResult PlanUnit(UnitResult unit, CompilationFacts compilation, ProjectOptions project, CancellationToken cancellationToken)
    {
        if (unit.Unit is not { } network)
        {
            return new PlanResult(null, null, unit.Diagnostics);
        }

        var target = network.Target;
        var diagnostics = new List<DiagnosticInfo>(unit.Diagnostics);
        if (!compilation.LanguageSupported)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LanguageVersionTooOld.Id, target.PathLocation.FilePath, target.PathLocation.Range, compilation.LanguageVersionText));
            return new PlanResult(null, null, diagnostics.ToEquatableArray());
        }

        string file = System.IO.Path.GetFileName(network.Network.Spec.FilePath);
        string source = target.RequestedPath is null ? $"the attributes of {target.ClassName.Split('<')[0]} in {file}" : file;
        var plan = Guarded(target.PathLocation.FilePath, target.PathLocation.Range, diagnostics, () =>
            NetworkPlanner.Plan(network.Network, target, project, compilation, source, cancellationToken));
        if (plan is { HasGpuLayers: true, GpuSession: false })
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GpuPackageMissing.Id, target.PathLocation.FilePath, target.PathLocation.Range, target.ClassName));
        }

        // The class without its position: an edit that only moves the class leaves the result equal, and the code cached.
        var unplaced = target with { PathLocation = new CodeLocation(target.PathLocation.FilePath, SourceRange.None) };
        return new PlanResult(plan is null ? null : unplaced, plan, diagnostics.ToEquatableArray());
    }

    /// <summary>Diagnostics in the order of their places in the file, as a build lists them (the reader's and the checker's interleaved).</summary>
    private static EquatableArray<DiagnosticInfo> InFileOrder(List<DiagnosticInfo> diagnostics) =>
        diagnostics.Select((d, i) => (d, i)).OrderBy(x => x.d.Range.Start).ThenBy(x => x.i).Select(x => x.d).ToEquatableArray();

    /// <summary>
    /// Runs a stage and turns an exception into NG0999 at <paramref name="range"/>: a defect of
    /// NetGen, not of the description, reported as a diagnostic rather than letting the compiler
    /// disable the generator (CS8785) for the whole project. The one place that catches.
    /// </summary>
    private static T? Guarded<T>(string path, SourceRange range, List<DiagnosticInfo> diagnostics, Func<T?> stage)
        where T : class
    {
        try
        {
            return stage();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError.Id, path, range, e.GetType().Name + ": " + e.Message));
            return null;
        }
    }

    private static SourceRange ToRange(Location location)
    {
        var lines = location.GetLineSpan();
        return new SourceRange(location.SourceSpan.Start, location.SourceSpan.Length, lines.StartLinePosition.Line, lines.StartLinePosition.Character, lines.EndLinePosition.Line, lines.EndLinePosition.Character);
    }

    /// <summary>Binds a class to the one description whose full path ends with the requested path; an attribute network is checked here.</summary>
    internal static UnitResult Bind(TargetResult result, ImmutableArray<NetworkFile> files, CancellationToken cancellationToken)
    {
        if (result.Spec is { } spec)
        {
            // An attribute network: checked as a file's is, its values even when reading failed.
            var diagnostics = new List<DiagnosticInfo>(result.Diagnostics);
            bool failed = result.Target is null;
            var network = Guarded(spec.FilePath, spec.LayersRange, diagnostics, () => NetworkChecker.Check(spec, diagnostics, cancellationToken, readingFailed: failed));
            return new UnitResult(network is null || result.Target is null ? null : new NetworkUnit(result.Target, network), InFileOrder(diagnostics));
        }

        if (result.Target is not { } target)
        {
            return new UnitResult(null, result.Diagnostics);
        }

        if (target.RequestedPath is not { } requestedPath)
        {
            return new UnitResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var matches = files.Where(f => PathMatches(DescriptionPath(f.Path), requestedPath) || IsImportOf(f.Path, requestedPath)).ToList();
        if (matches.Count == 1)
        {
            // A description with errors has reported them already, and produces no code.
            return matches[0].Network is { } checkedNetwork
                ? new UnitResult(new NetworkUnit(target, checkedNetwork), EquatableArray<DiagnosticInfo>.Empty)
                : new UnitResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        DiagnosticInfo diagnostic = matches.Count == 0
            ? DiagnosticInfo.Create(
                DiagnosticDescriptors.DescriptionNotFound.Id,
                target.PathLocation.FilePath,
                target.PathLocation.Range,
                requestedPath,
                IsOnnx(requestedPath)
                    ? "; an ONNX model is converted at build time when the project names it as <NetGenModel Include=\"" + requestedPath + "\" />"
                    : files.Length == 0
                    ? "; the project has no *.netgen.json AdditionalFiles items (add <AdditionalFiles Include=\"...\" /> to the project)"
                    : "; found: " + string.Join(", ", files.Select(f => System.IO.Path.GetFileName(f.Path)).OrderBy(n => n, StringComparer.Ordinal)))
            : DiagnosticInfo.Create(
                DiagnosticDescriptors.AmbiguousDescription.Id,
                target.PathLocation.FilePath,
                target.PathLocation.Range,
                requestedPath,
                matches.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                string.Join(", ", matches.Select(m => m.Path).OrderBy(p => p, StringComparer.Ordinal)));
        return new UnitResult(null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));
    }

    /// <summary>The suffix of the description that the build writes for a <c>NetGenModel</c> item: <c>model.onnx</c> gives <c>model.onnx.netgen.json</c>.</summary>
    private const string ImportSuffix = ".onnx" + DescriptionSuffix;

    private static bool IsOnnx(string requested) => requested.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True when <paramref name="fullPath"/> is the description the build converted from the ONNX
    /// model <paramref name="requested"/> names. The build writes it under obj/ by file name, so
    /// the file name is what binds (two models of one name are reported as ambiguous).
    /// </summary>
    internal static bool IsImportOf(string fullPath, string requested) =>
        IsOnnx(requested)
        && fullPath.EndsWith(ImportSuffix, StringComparison.OrdinalIgnoreCase)
        && PathMatches(fullPath, System.IO.Path.GetFileName(requested.Replace('\\', '/')) + DescriptionSuffix);

    /// <summary>True when <paramref name="fullPath"/> ends with <paramref name="requested"/> at a folder boundary, either slash.</summary>
    internal static bool PathMatches(string fullPath, string requested)
    {
        string full = fullPath.Replace('\\', '/');
        string suffix = requested.Replace('\\', '/');
        while (suffix.StartsWith("./", StringComparison.Ordinal))
        {
            suffix = suffix.Substring(2);
        }

        suffix = suffix.TrimStart('/');
        if (suffix.Length == 0 || !full.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return full.Length == suffix.Length || full[full.Length - suffix.Length - 1] == '/';
    }

    internal static Diagnostic ToDiagnostic(DiagnosticInfo info)
    {
        DiagnosticDescriptor descriptor = DiagnosticDescriptors.Get(info.Id);
        var range = info.Range;
        Location location = info.FilePath.Length == 0
            ? Location.None
            : Location.Create(
                info.FilePath,
                new TextSpan(range.Start, range.Length),
                new LinePositionSpan(new LinePosition(range.StartLine, range.StartColumn), new LinePosition(range.EndLine, range.EndColumn)));
        return Diagnostic.Create(descriptor, location, info.Arguments.Cast<object>().ToArray());
    }
}
