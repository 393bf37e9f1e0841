using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
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

    internal static bool IsDescription(string path) => path.EndsWith(DescriptionSuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Read, check and plan one description: a pure function of its path, its text and the weight files it may name.</summary>
    /// <param name="path">The description's full path.</param>
    /// <param name="text">Its text; null when it could not be read.</param>
    /// <param name="findWeightFile">What the build knows of the weight file at a full path (null: no such file).</param>
    /// <param name="cancellationToken">Cancels the build.</param>
    internal static NetworkFile CompileDescription(string path, string? text, Func<string, WeightFile?> findWeightFile, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        NetworkPlan? plan = null;
        if (text is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MalformedJson.Id, path, SourceRange.None, "a readable text file", "a file that could not be read"));
        }
        else
        {
            try
            {
                NetworkSpec? spec = JsonNetworkReader.Read(path, text, findWeightFile, diagnostics, cancellationToken);
                if (spec is not null && NetworkChecker.Check(spec, diagnostics, cancellationToken))
                {
                    plan = NetworkPlanner.Plan(spec, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A defect of NetGen, not of the description: report it as a diagnostic rather
                // than let the compiler disable the generator (CS8785) for the whole project.
                plan = null;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError.Id, path, SourceRange.None, e.GetType().Name + ": " + e.Message));
            }
        }

        return new NetworkFile(path, plan, diagnostics.ToEquatableArray());
    }

    /// <summary>Binds a class to the one description whose full path ends with the requested path.</summary>
    internal static UnitResult Bind(TargetResult result, ImmutableArray<NetworkFile> files)
    {
        if (result.Target is not { } target)
        {
            return new UnitResult(null, result.Diagnostics);
        }

        if (result.Plan is { } inlinePlan)
        {
            return new UnitResult(new NetworkUnit(target, inlinePlan), EquatableArray<DiagnosticInfo>.Empty);
        }

        if (target.RequestedPath is not { } requestedPath)
        {
            return new UnitResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var matches = files.Where(f => PathMatches(f.Path, requestedPath) || IsImportOf(f.Path, requestedPath)).ToList();
        if (matches.Count == 1)
        {
            // A description with errors has reported them already, and produces no code.
            return matches[0].Plan is { } plan
                ? new UnitResult(new NetworkUnit(target, plan), EquatableArray<DiagnosticInfo>.Empty)
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
