using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using NetGen.Onnx;
using NetGen.Tests.EndToEnd;
using NetGen.Tests.Harness;
using NetGen.Tests.Reference;
using Xunit;

namespace NetGen.Tests.Packages;

/// <summary>
/// A program a user would write, in a folder of its own outside the repository, compiling
/// networks in the forms a user has: JSON descriptions (random networks of every op), an
/// attribute network, an ONNX model, the digits model, and a description whose weights are a
/// <c>NetGenWeights</c> file. As a package consumer (<see cref="Write"/>) it references the
/// NetGen packages by version from the local feed (its nuget.config names the folder; no
/// project references) and restores the netgen tool from there as a local tool; as a Unity
/// project (<see cref="ForUnity"/>) it is C# 9 scripts and <c>.NetGen.Generator.additionalfile</c> descriptions.
/// </summary>
/// <remarks>
/// The program reads rows <c>Name x₀ x₁ …</c> from a file, runs each through the named
/// network's <c>Forward</c> (the weight-file network through <c>Forward</c> with a
/// <c>Cache</c> too; NetGen.Gpu's networks through a session) and prints <c>Name y₀ y₁ …</c>
/// in round-trip form; <see cref="Check"/> compares every line with the float64 reference of the
/// same description. The program is C# 9, so that one text serves every consumer.
/// </remarks>
internal sealed class ConsumerProject
{
    private const int RowsPerNetwork = 3;

    /// <summary>The attribute network of the program, as attributes and as the description the reference reads.</summary>
    private const string AttributeDeclaration = """
        [Network(input: 3)]
        [Linear(4, "0.5 -1 0.25; 1 1 -0.5; -0.75 0.5 2; 0 -1.5 1", Bias = "0.1 -0.2 0.3 0", Activation = Activation.Tanh)]
        [Linear(2, "1 -1 0.5 2; -0.5 0.25 1 -1", Activation = Activation.Softmax)]
        """;

    private const string AttributeJson = """
        {
          "format": "netgen/1", "input": 3,
          "layers": [
            { "op": "linear", "out": 4, "weight": [[0.5, -1, 0.25], [1, 1, -0.5], [-0.75, 0.5, 2], [0, -1.5, 1]], "bias": [0.1, -0.2, 0.3, 0], "activation": "tanh" },
            { "op": "linear", "out": 2, "weight": [[1, -1, 0.5, 2], [-0.5, 0.25, 1, -1]], "activation": "softmax" }
          ]
        }
        """;

    private readonly List<Network> _networks = new();

    private ConsumerProject(string folder) => Folder = folder;

    public string Folder { get; }

    /// <summary>The rows the program is given, and what the float64 reference gives for each.</summary>
    public List<(string Name, float[] Input, double[] Expected)> Rows { get; } = new();

    /// <summary>The ops and activations the project's networks use, every one at least once for <see cref="ForUnity"/>.</summary>
    public IReadOnlySet<string> Ops => _networks.SelectMany(n => OpsOf(JsonNode.Parse(n.Json)!)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// A package consumer: the CPU networks, or (with <paramref name="gpu"/>) random networks
    /// whose layers run through NetGen.Gpu on ILGPU's CPU accelerator.
    /// </summary>
    public static ConsumerProject Write(LocalFeed feed, string name, bool gpu = false)
    {
        var project = new ConsumerProject(Path.Combine(feed.Root, name));
        Directory.CreateDirectory(Path.Combine(project.Folder, "Models"));
        Directory.CreateDirectory(Path.Combine(project.Folder, ".config"));
        project.AddRandom(new RandomNetworks(gpu ? 907 : 401), 4, gpu, network => Path.Combine("Models", network + ".netgen.json"));
        if (!gpu)
        {
            project._networks.Add(new Network("Attributes", AttributeJson, 3, AttributeDeclaration));
            project.AddOnnx(Path.Combine("Models", "torch-block.onnx"));
            File.Copy(Fixtures.NetworkPath("external.netgen.json"), Path.Combine(project.Folder, "Models", "external.netgen.json"));
            File.Copy(Fixtures.NetworkPath("external.weights.bin"), Path.Combine(project.Folder, "Models", "external.weights.bin"));
            string inline = WeightFileTests.Inline(Fixtures.Network("external.netgen.json"), File.ReadAllBytes(Fixtures.NetworkPath("external.weights.bin")));
            project._networks.Add(new Network("External", inline, 40, "[Network(\"external.netgen.json\")]", WithCache: true));
        }

        File.WriteAllText(Path.Combine(project.Folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <!-- The machine's own sources still serve the dependencies; this NetGen version is only here. -->
                <add key="netgen-local" value="{feed.Folder}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project.Folder, ".config", "dotnet-tools.json"), $$"""
            {
              "version": 1,
              "isRoot": true,
              "tools": {
                "netgen.cli": { "version": "{{feed.Version}}", "commands": [ "netgen" ], "rollForward": false }
              }
            }
            """);
        project.WriteProjectFile(feed.Version, gpu);
        project.WriteProgram(gpu);
        project.WriteInputs();
        return project;
    }

    /// <summary>
    /// A Unity project's scripts: random networks until every op has appeared, the attribute
    /// network, the digits model, and an ONNX model converted beforehand (as <c>netgen import</c>
    /// would), every description named <c>*.NetGen.Generator.additionalfile</c> as Unity requires.
    /// </summary>
    public static ConsumerProject ForUnity(string folder, IReadOnlyCollection<string> everyOp)
    {
        var project = new ConsumerProject(folder);
        Directory.CreateDirectory(folder);
        static string Unity(string network) => network + ".NetGen.Generator.additionalfile";
        var random = new RandomNetworks(2022);
        int count = 0;
        while (count < 120 && !everyOp.All(project.Ops.Contains))
        {
            project.AddRandom(random, 1, gpu: false, Unity, first: ++count);
        }

        Assert.True(everyOp.All(project.Ops.Contains), "random networks missed " + string.Join(", ", everyOp.Where(op => !project.Ops.Contains(op))));
        project._networks.Add(new Network("Attributes", AttributeJson, 3, AttributeDeclaration));
        string digits = File.ReadAllText(Fixtures.NetworkPath("digits.netgen.json"));
        File.WriteAllText(Path.Combine(folder, Unity("digits")), digits);
        project._networks.Add(new Network("Digits", digits, 64, "[Network(\"digits.netgen.json\")]", WithCache: true));
        string imported = OnnxImporter.ImportFile(Path.Combine(AppContext.BaseDirectory, "Onnx", "Models", "torch-block.onnx"));
        File.WriteAllText(Path.Combine(folder, Unity("torch-block")), imported);
        project._networks.Add(new Network("Onnx", imported, (int)JsonNode.Parse(imported)!["input"]!, "[Network(\"torch-block.netgen.json\")]"));
        project.WriteProgram(gpu: false);
        project.WriteInputs();
        return project;
    }

    /// <summary>Runs a command in the project's folder.</summary>
    public CommandResult Run(string fileName, params string[] arguments) => Command.Run(Folder, fileName, arguments);

    /// <summary>Asserts that a run of the program printed, for every row, outputs within the format's bound of the reference.</summary>
    public void Check(CommandResult run, string context)
    {
        Assert.True(run.ExitCode == 0, run.Describe());
        var printed = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.True(printed.Count == Rows.Count, $"{context}: {Rows.Count} result lines expected, {printed.Count} printed:\n{run.Output}");
        for (int i = 0; i < Rows.Count; i++)
        {
            string[] parts = printed[i].Split(' ');
            Assert.Equal(Rows[i].Name, parts[0]);
            float[] actual = parts.Skip(1).Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Accuracy.Compare(Rows[i].Expected, actual, $"{context}, {Rows[i].Name} row {i}");
        }
    }

    /// <summary>Every op and activation a description uses.</summary>
    public static IEnumerable<string> OpsOf(JsonNode node) => node switch
    {
        JsonObject o => (o["op"] is JsonValue op ? new[] { (string)op! } : Array.Empty<string>())
            .Concat(o["activation"] is JsonValue a ? new[] { (string)a! } : Array.Empty<string>())
            .Concat(o.Where(p => p.Key is not ("op" or "activation") && p.Value is not null).SelectMany(p => OpsOf(p.Value!))),
        JsonArray array => array.Where(e => e is not null).SelectMany(e => OpsOf(e!)),
        _ => Array.Empty<string>(),
    };

    private void AddRandom(RandomNetworks random, int count, bool gpu, Func<string, string> file, int first = 1)
    {
        for (int i = first; i < first + count; i++)
        {
            var (json, inputSize) = random.Next();
            if (gpu)
            {
                // A session needs a weighted layer to place on the device.
                if (!json.Contains("\"linear\"", StringComparison.Ordinal) && !json.Contains("\"swiglu\"", StringComparison.Ordinal))
                {
                    i--;
                    continue;
                }

                var root = JsonNode.Parse(json)!.AsObject();
                root["gpu"] = "all";
                json = root.ToJsonString();
            }

            string name = $"random{i}";
            File.WriteAllText(Path.Combine(Folder, file(name)), json);
            _networks.Add(new Network($"Random{i}", json, inputSize, $"[Network(\"{name}.netgen.json\")]", Gpu: gpu));
        }
    }

    /// <summary>torch-block.onnx at <paramref name="model"/>, for the build to convert (<c>NetGenModel</c>, twice: once under its file's name, once under a Name of its own).</summary>
    private void AddOnnx(string model)
    {
        string onnx = Path.Combine(AppContext.BaseDirectory, "Onnx", "Models", "torch-block.onnx");
        File.Copy(onnx, Path.Combine(Folder, model));
        string imported = OnnxImporter.ImportFile(onnx);
        _networks.Add(new Network("Onnx", imported, (int)JsonNode.Parse(imported)!["input"]!, "[Network(\"torch-block.onnx\")]"));

        // The same model again under a name of its own (the Name metadata), as a second output of one model is.
        _networks.Add(new Network("OnnxNamed", imported, (int)JsonNode.Parse(imported)!["input"]!, "[Network(\"torch-block-named.netgen.json\")]"));
    }

    private void WriteProjectFile(string version, bool gpu)
    {
        string items = gpu
            ? $"""
                <PackageReference Include="NetGen.Gpu" Version="{version}" />
                <AdditionalFiles Include="Models/*.netgen.json" />
              """
            : """
                <AdditionalFiles Include="Models/*.netgen.json" />
                <NetGenWeights Include="Models/external.weights.bin" />
                <NetGenModel Include="Models/torch-block.onnx" />
                <NetGenModel Include="Models/torch-block.onnx" Name="torch-block-named" />
              """;
        File.WriteAllText(Path.Combine(Folder, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFrameworks>net10.0;net8.0</TargetFrameworks>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <AssemblyName>Consumer</AssemblyName>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NetGen" Version="{version}" />
            {items}
              </ItemGroup>
            </Project>
            """);
    }

    private void WriteProgram(bool gpu)
    {
        var code = new StringBuilder();
        code.Append("""
            using System;
            using System.Globalization;
            using System.IO;
            using NetGen;

            namespace Consumer
            {

            """);
        foreach (var network in _networks)
        {
            code.Append(Indent(network.Declaration, "    ")).Append('\n');
            code.Append($"    internal static partial class {network.Name} {{ }}\n\n");
        }

        code.Append("""
                internal static class Program
                {
                    private static int Main(string[] args)
                    {

            """);
        if (gpu)
        {
            code.Append("            using var device = NetGen.Gpu.GpuDevice.Create(NetGen.Gpu.GpuBackend.Cpu);\n");
        }

        code.Append("""
                        foreach (string line in File.ReadAllLines(args[0]))
                        {
                            string[] parts = line.Split(' ');
                            var x = new float[parts.Length - 1];
                            for (int i = 0; i < x.Length; i++)
                            {
                                x[i] = float.Parse(parts[i + 1], CultureInfo.InvariantCulture);
                            }

                            float[] y;
                            switch (parts[0])
                            {

            """);
        foreach (var (name, _, _, _, withCache, onDevice) in _networks)
        {
            code.Append($"                    case \"{name}\":\n");
            code.Append($"                        y = new float[{name}.OutputSize];\n");
            if (onDevice)
            {
                code.Append($"                        using (var session = {name}.CreateGpuSession(device, maxRows: 4))\n");
                code.Append("                        {\n");
                code.Append("                            session.ForwardBatch(x, y);\n");
                code.Append("                        }\n");
            }
            else if (withCache)
            {
                code.Append("                        {\n");
                code.Append($"                            var cache = new {name}.Cache();\n");
                code.Append($"                            {name}.Forward(x, y, ref cache);\n");
                code.Append("                        }\n");
            }
            else
            {
                code.Append($"                        {name}.Forward(x, y);\n");
            }

            code.Append("                        break;\n");
        }

        code.Append("""
                                default:
                                    Console.Error.WriteLine("No network " + parts[0]);
                                    return 1;
                            }

                            var text = new string[y.Length];
                            for (int i = 0; i < y.Length; i++)
                            {
                                text[i] = y[i].ToString("R", CultureInfo.InvariantCulture);
                            }

                            Console.WriteLine(parts[0] + " " + string.Join(" ", text));
                        }

                        return 0;
                    }
                }
            }

            """);
        File.WriteAllText(Path.Combine(Folder, "Program.cs"), code.ToString());
    }

    private void WriteInputs()
    {
        var random = new RandomNetworks(17);
        var lines = new List<string>();
        foreach (var network in _networks)
        {
            var reference = new ReferenceNetwork(network.Json);
            for (int r = 0; r < RowsPerNetwork; r++)
            {
                float[] x = random.Input(network.InputSize);
                Rows.Add((network.Name, x, reference.Evaluate(x, new())));
                lines.Add(network.Name + " " + string.Join(" ", x.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            }
        }

        File.WriteAllLines(Path.Combine(Folder, "inputs.txt"), lines);
    }

    private static string Indent(string text, string indent) =>
        string.Join("\n", text.Split('\n').Select(l => indent + l.TrimEnd('\r')));

    /// <summary>A network of the program: its class, its description for the reference, and how the class asks for it.</summary>
    private sealed record Network(string Name, string Json, int InputSize, string Declaration, bool WithCache = false, bool Gpu = false);
}
