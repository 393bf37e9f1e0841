using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Onnx;
using NetGen.Onnx.Proto;
using NetGen.Tests.Harness;

namespace NetGen.Tests.Onnx;

/// <summary>
/// ONNX's own node tests (<c>../shared/conformance/onnx-1.12-node</c>) mapped onto NetGen as the
/// folder's README says: the first graph input is the network's input (last axis the features,
/// the others the batch), every other input is frozen into the model from the test data, and
/// the first output is compared element by element. A test the importer rejects is skipped with
/// the importer's own message as the reason.
/// </summary>
internal static class Conformance
{
    private static readonly Lazy<string> FolderPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "conformance", "onnx-1.12-node");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/conformance/onnx-1.12-node was not found beside the repository; CI and every machine keep shared/ there.");
    });

    private static readonly Lazy<IReadOnlyDictionary<string, ConformanceCase>> Cases = new(() =>
        Directory.GetDirectories(FolderPath.Value).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToDictionary(n => n!, n => Load(n!)));

    private static readonly Lazy<CompiledNetworks> Compiled = new(() => CompiledNetworks.Compile(Supported.Select(c => c.Json!).ToList()));

    public static IEnumerable<string> Names => Cases.Value.Keys;

    public static ConformanceCase Case(string name) => Cases.Value[name];

    public static IReadOnlyList<ConformanceCase> Supported => Cases.Value.Values.Where(c => c.Json is not null).ToList();

    /// <summary>The compiled network of a supported case; all of them are compiled together, once.</summary>
    public static NetworkEntryPoints Network(ConformanceCase c)
    {
        int index = Supported.ToList().FindIndex(s => s.Name == c.Name);
        return Compiled.Value[index];
    }

    /// <summary>A generated constant (InputSize, OutputSize) of a supported case's network.</summary>
    public static long Constant(ConformanceCase c, string name) =>
        Compiled.Value.Constant(Supported.ToList().FindIndex(s => s.Name == c.Name), name);

    public static TensorProto ReadTensor(string path) => TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));

    private static ConformanceCase Load(string name)
    {
        string folder = Path.Combine(FolderPath.Value, name);
        ModelProto model = OnnxImporter.ReadModel(Path.Combine(folder, "model.onnx"));
        var dataSets = Directory.GetDirectories(folder, "test_data_set_*").Order(StringComparer.Ordinal).ToList();

        // Inputs after the first are frozen from the first data set; data sets that feed them
        // other values would be other networks, and are not used.
        var inputs = model.Graph.Input.Where(i => model.Graph.Initializer.All(t => t.Name != i.Name)).ToList();
        var frozen = new Dictionary<string, TensorProto>();
        for (int k = 1; k < inputs.Count; k++)
        {
            frozen[inputs[k].Name] = ReadTensor(Path.Combine(dataSets[0], $"input_{k}.pb"));
        }

        // The network's output is the first graph output. The others some node tests add
        // (LayerNormalization's Mean and InvStdDev) are statistics NetGen does not compute: they
        // are dropped here, and only output_0 is compared.
        while (model.Graph.Output.Count > 1)
        {
            model.Graph.Output.RemoveAt(model.Graph.Output.Count - 1);
        }

        var usable = dataSets.Where(set => Enumerable.Range(1, inputs.Count - 1)
            .All(k => ReadTensor(Path.Combine(set, $"input_{k}.pb")).Equals(frozen[inputs[k].Name]))).ToList();
        try
        {
            string json = OnnxImporter.Import(model, new OnnxImportOptions { SourceName = name, FrozenInputs = frozen });
            return new ConformanceCase(name, json, null, usable);
        }
        catch (OnnxImportException e)
        {
            return new ConformanceCase(name, null, e.Message.StartsWith(name + ": ", StringComparison.Ordinal) ? e.Message[(name.Length + 2)..] : e.Message, usable);
        }
    }
}

/// <summary>One node test: the imported description, or why the importer rejects it.</summary>
internal sealed record ConformanceCase(string Name, string? Json, string? SkipReason, IReadOnlyList<string> DataSets);
