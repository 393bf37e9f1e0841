using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Onnx;
using NetGen.Onnx.Proto;
using NetGen.Tests.Harness;

namespace NetGen.Tests.Onnx;

/// <summary>
/// ONNX's own node tests mapped onto NetGen as <c>../shared/conformance/README.md</c> says: the
/// first graph input is the network's input (last axis the features, the others the batch),
/// every other input is frozen into the model from the test data, and the first output is
/// compared element by element. A test the importer rejects is skipped with the importer's own
/// message as the reason. Two suites: <see cref="Subset"/>, the 108 tests of
/// <c>onnx-1.12-node</c>, and <see cref="All"/>, the whole suite of ONNX 1.12 (922 tests).
/// </summary>
internal sealed class Conformance
{
    public const string SubsetName = "onnx-1.12-node";
    public const string AllName = "onnx-1.12-node-all";

    private static readonly Lazy<Conformance> SubsetSuite = new(() => new Conformance(SubsetName));
    private static readonly Lazy<Conformance> AllSuite = new(() => new Conformance(AllName));

    private readonly Lazy<IReadOnlyDictionary<string, ConformanceCase>> _cases;
    private readonly Lazy<IReadOnlyList<ConformanceCase>> _supported;
    private readonly Lazy<CompiledNetworks> _compiled;

    private Conformance(string folder)
    {
        Folder = folder;
        string path = FindFolder(folder);
        _cases = new(() => Directory.GetDirectories(path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToDictionary(n => n!, n => Load(path, n!)));
        _supported = new(() => _cases.Value.Values.Where(c => c.Json is not null).ToList());
        _compiled = new(() => CompiledNetworks.Compile(_supported.Value.Select(c => c.Json!).ToList()));
    }

    public static Conformance Subset => SubsetSuite.Value;

    public static Conformance All => AllSuite.Value;

    /// <summary>The suite's folder under <c>shared/conformance</c>.</summary>
    public string Folder { get; }

    public IEnumerable<string> Names => _cases.Value.Keys;

    public static Conformance Named(string folder) => folder == SubsetName ? Subset : folder == AllName ? All : throw new ArgumentException("No such suite: " + folder, nameof(folder));

    public ConformanceCase Case(string name) => _cases.Value[name];

    /// <summary>The compiled network of a supported case; all of a suite's are compiled together, once.</summary>
    public NetworkEntryPoints Network(ConformanceCase c) => _compiled.Value[Index(c)];

    /// <summary>A generated constant (InputSize, OutputSize) of a supported case's network.</summary>
    public long Constant(ConformanceCase c, string name) => _compiled.Value.Constant(Index(c), name);

    public static TensorProto ReadTensor(string path) => TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));

    private int Index(ConformanceCase c)
    {
        int index = _supported.Value.ToList().FindIndex(s => s.Name == c.Name);
        return index >= 0 ? index : throw new ArgumentException($"{c.Name} is not supported: {c.SkipReason}", nameof(c));
    }

    private static string FindFolder(string folder)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "conformance", folder);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"shared/conformance/{folder} was not found beside the repository; CI and every machine keep shared/ there.");
    }

    private static ConformanceCase Load(string suite, string name)
    {
        string folder = Path.Combine(suite, name);
        ModelProto model = OnnxImporter.ReadModel(Path.Combine(folder, "model.onnx"));
        var dataSets = Directory.GetDirectories(folder, "test_data_set_*").Order(StringComparer.Ordinal).ToList();

        // Inputs after the first are frozen from the first data set; data sets that feed them
        // other values would be other networks, and are not used.
        var inputs = model.Graph.Input.Where(i => model.Graph.Initializer.All(t => t.Name != i.Name)).ToList();
        var frozen = new Dictionary<string, TensorProto>();
        for (int k = 1; k < inputs.Count; k++)
        {
            string file = dataSets.Count == 0 ? string.Empty : Path.Combine(dataSets[0], $"input_{k}.pb");
            if (inputs[k].Type?.TensorType is null || dataSets.Count == 0 || !File.Exists(file))
            {
                // Sequences, optionals and maps are data NetGen's networks do not take.
                return new ConformanceCase(name, null, $"input '{inputs[k].Name}' is not a tensor with test data; NetGen freezes tensors only", dataSets);
            }

            frozen[inputs[k].Name] = ReadTensor(file);
        }

        // The network's output is the first graph output. The others some node tests add
        // (LayerNormalization's Mean and InvStdDev) are statistics NetGen does not compute: they
        // are dropped here, and only output_0 is compared.
        while (model.Graph.Output.Count > 1)
        {
            model.Graph.Output.RemoveAt(model.Graph.Output.Count - 1);
        }

        var usable = dataSets.Where(set => Enumerable.Range(1, Math.Max(0, inputs.Count - 1))
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
