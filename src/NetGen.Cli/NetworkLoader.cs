using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using NetGen.Generator;
using NetGen.Generator.Emit;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Onnx;

namespace NetGen.Cli;

/// <summary>A description read, checked and planned by the generator's own code.</summary>
internal sealed record LoadedNetwork(string Name, string Path, NetworkPlan Plan);

/// <summary>
/// Reads descriptions for the commands through the generator's pipeline (reader, checker,
/// planner), so that the tool and the build agree on every network and every error.
/// </summary>
internal static class NetworkLoader
{
    /// <summary>Loads a <c>*.netgen.json</c>, or an <c>*.onnx</c> model imported in memory.</summary>
    public static LoadedNetwork Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"{path}: no such file");
        }

        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            return FromText(path + NetworkGenerator.DescriptionSuffix, OnnxImporter.ImportFile(path));
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot read the file: {e.Message}");
        }

        return FromText(path, text);
    }

    /// <summary>Compiles a description's text; its errors are the generator's diagnostics, one line each.</summary>
    public static LoadedNetwork FromText(string path, string text)
    {
        NetworkFile file = NetworkGenerator.CompileDescription(path, text, WeightFileOnDisk, CancellationToken.None);
        if (file.Network is not { } checkedNetwork)
        {
            var lines = file.Diagnostics.Select(d => NetworkGenerator.ToDiagnostic(d).ToString()).ToList();
            throw lines.Count > 0
                ? new CliException(lines, compilerFormat: true)
                : new CliException($"{path}: the description does not compile");
        }

        string name = System.IO.Path.GetFileName(path);
        var target = new NetworkTarget(null, EquatableArray<string>.Empty, ClassName(name), ClassName(name) + ".g.cs", name, new CodeLocation(string.Empty, SourceRange.None));
        var plan = NetworkPlanner.Plan(checkedNetwork, target, ProjectOptions.None, CompilationFacts.None, name, CancellationToken.None);
        return new LoadedNetwork(name, path, plan);
    }

    /// <summary>The prefix of the resource names the tool gives weight files.</summary>
    public const string ResourcePrefix = "NetGen.Weights/";

    /// <summary>
    /// A weight file as the tool sees it: measured on disk, named as a resource by its file name.
    /// (A build names it by its path in the project instead; either way the generated code reads the name it was given.)
    /// </summary>
    public static WeightFile? WeightFileOnDisk(string fullPath)
    {
        var info = new FileInfo(fullPath);
        return info.Exists ? new WeightFile(fullPath, info.Length, ResourcePrefix + info.Name) : null;
    }

    /// <summary>The weight files a network reads, as resources to embed: its resource name and full path each.</summary>
    public static IEnumerable<(string ResourceName, string FullPath)> WeightResources(LoadedNetwork network) =>
        network.Plan.Weights
            .Where(w => w.External is not null)
            .Select(w => (w.External!.ResourceName, WeightFiles.Resolve(network.Path, w.External.File)))
            .Distinct();

    /// <summary>The generator's output for the network, as a class named from the file (or <paramref name="className"/>).</summary>
    public static string Emit(LoadedNetwork network, string? className, string? ns)
    {
        string name = className ?? ClassName(network.Name);
        if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(name))
        {
            throw new CliException($"'{name}' is not a C# class name; give one with --class");
        }

        if (ns is not null && !ns.Split('.').All(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier))
        {
            throw new CliException($"'{ns}' is not a C# namespace");
        }

        var target = new NetworkTarget(ns, EquatableArray<string>.Empty, name, name + ".g.cs", network.Name, new CodeLocation(string.Empty, SourceRange.None));
        return NetworkEmitter.Emit(target, network.Plan, CancellationToken.None);
    }

    /// <summary>A PascalCase class name from a file name: <c>digits-v2.netgen.json</c> gives <c>DigitsV2</c>.</summary>
    public static string ClassName(string fileName)
    {
        string stem = fileName;
        foreach (string suffix in new[] { NetworkGenerator.DescriptionSuffix, ".onnx", ".json" })
        {
            if (stem.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                stem = stem.Substring(0, stem.Length - suffix.Length);
            }
        }

        var name = new StringBuilder();
        bool upper = true;
        foreach (char c in stem)
        {
            if (char.IsLetterOrDigit(c))
            {
                name.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }

        if (name.Length == 0 || char.IsDigit(name[0]))
        {
            name.Insert(0, "Network");
        }

        return name.ToString();
    }
}
