using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using NetGen.Gpu;
using NetGen.Tests.Reference;
using NetGen.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Gpu;

/// <summary>
/// The GPU path on ILGPU's CPU accelerator (CI has no GPU): sessions of random networks, with
/// every op and a random mix of device and host layers, agree with the float64 reference and
/// with the CPU ForwardBatch within the format's bound, at batch sizes 1 to 1,000; sessions
/// release their memory, report a full device clearly, and run side by side.
/// </summary>
[Collection(nameof(CpuAcceleratorCollection))]
public sealed class GpuSessionTests(CpuAccelerator accelerator, ITestOutputHelper output)
{
    private static readonly int[] BatchSizes = { 1, 2, 5, 17, 64, 1000 };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Random_networks_agree_with_the_reference_and_the_cpu_code(int seed)
    {
        var random = new RandomNetworks(seed * 104729);
        var placer = new Random(seed);
        var networks = new List<(string Json, int InputSize)>();
        while (networks.Count < 24)
        {
            var (json, inputSize) = random.Next();
            if (WithGpuLayers(json, placer) is { } placed)
            {
                networks.Add((placed, inputSize));
            }
        }

        var compiled = CompiledNetworks.Compile(networks.Select(n => n.Json).ToList(), gpu: true);
        double worst = 0;
        int rowsChecked = 0, hostSteps = 0, deviceSteps = 0;
        for (int i = 0; i < networks.Count; i++)
        {
            var (json, inputSize) = networks[i];
            var reference = new ReferenceNetwork(json);
            var network = compiled[i];
            int maxRows = new[] { 1, 7, 64, 1024 }[i % 4];
            using var session = network.CreateGpuSession(accelerator.Device, maxRows);
            deviceSteps += session.Steps.Count(s => s.OnDevice);
            hostSteps += session.Steps.Count(s => !s.OnDevice);
            foreach (int batch in BatchSizes.Where(b => b <= 64 || i % 6 == 0))
            {
                float[] inputs = Enumerable.Range(0, batch).SelectMany(_ => random.Input(inputSize)).ToArray();
                float[] gpu = new float[batch * session.OutputSize];
                float[] cpu = new float[gpu.Length];
                session.ForwardBatch(inputs, gpu);
                network.ForwardBatch(inputs, cpu);
                for (int r = 0; r < batch; r++)
                {
                    string context = $"seed {seed}, network {i}, batch {batch}, row {r}, max rows {maxRows}: {string.Join("; ", session.Steps)}";
                    var row = gpu.AsSpan(r * session.OutputSize, session.OutputSize).ToArray();
                    double[] expected = reference.Evaluate(inputs.AsSpan(r * inputSize, inputSize), new());
                    worst = Math.Max(worst, Accuracy.Compare(expected, row, context + " / reference"));
                    // Each is within the bound of the reference, in its own summation order, so
                    // the two may be up to twice the bound apart.
                    Accuracy.Compare(cpu.AsSpan(r * session.OutputSize, session.OutputSize).ToArray().Select(v => (double)v).ToArray(), row, context + " / ForwardBatch", bound: 2e-5);
                }

                rowsChecked += batch;
            }
        }

        Assert.True(hostSteps > 0 && deviceSteps > 0, "the networks mix host and device steps");
        output.WriteLine($"{networks.Count} networks, {rowsChecked} rows, {deviceSteps} device and {hostSteps} host steps; worst error {worst:E2} of the bound's 1e-5·(1+|ref|)");
    }

    [Fact]
    public void A_masked_discrete_head_runs_its_mask_and_argmax_on_the_device_and_picks_the_cpu_codes_actions()
    {
        string json = EndToEnd.MaskAndArgMaxTests.Head("auto").Replace("\"strategy\": \"auto\",", "\"strategy\": \"auto\", \"gpu\": \"all\",");
        var network = CompiledNetworks.Compile([json], gpu: true)[0];
        float[] inputs = EndToEnd.MaskAndArgMaxTests.Inputs(70);
        using var session = network.CreateGpuSession(accelerator.Device, 64);
        Assert.Contains(session.Steps, s => s.OnDevice && s.Op == "argmax");
        Assert.Contains(session.Steps, s => s.OnDevice && s.Op == "mask");
        float[] gpu = new float[70 * 2], cpu = new float[70 * 2];
        session.ForwardBatch(inputs, gpu);
        network.ForwardBatch(inputs, cpu);
        Assert.Equal(cpu, gpu);
    }

    [Fact]
    public void The_tiled_linear_kernel_agrees_with_the_reference()
    {
        // The CPU accelerator normally runs the barrier-free kernel (its barriers are slow);
        // here the shared-memory tiled one runs, on sizes that are and are not multiples of 16.
        var random = new RandomNetworks(77);
        var networks = new[] { (Json: Dense(16, 32, 16), Input: 16), (Json: Dense(37, 53, 5), Input: 37), (Json: Dense(3, 70, 1), Input: 3) };
        var compiled = CompiledNetworks.Compile(networks.Select(n => n.Json).ToList(), gpu: true);
        accelerator.Device.UseTiledLinear = true;
        try
        {
            for (int i = 0; i < networks.Length; i++)
            {
                var reference = new ReferenceNetwork(networks[i].Json);
                using var session = compiled[i].CreateGpuSession(accelerator.Device, 64);
                foreach (int batch in new[] { 5, 16, 33 })
                {
                    float[] inputs = Enumerable.Range(0, batch).SelectMany(_ => random.Input(networks[i].Input)).ToArray();
                    float[] outputs = new float[batch * session.OutputSize];
                    session.ForwardBatch(inputs, outputs);
                    for (int r = 0; r < batch; r++)
                    {
                        Accuracy.Compare(
                            reference.Evaluate(inputs.AsSpan(r * networks[i].Input, networks[i].Input), new()),
                            outputs.AsSpan(r * session.OutputSize, session.OutputSize).ToArray(),
                            $"network {i}, batch {batch}, row {r}");
                    }
                }
            }
        }
        finally
        {
            accelerator.Device.UseTiledLinear = false;
        }
    }

    [Fact]
    public void Disposing_a_session_releases_its_device_memory()
    {
        var compiled = CompiledNetworks.Compile(new[] { Dense(8, 40, 3) }, gpu: true);
        var session = compiled[0].CreateGpuSession(accelerator.Device, 32);
        var resources = (GpuResources)typeof(GpuSession).GetField("_resources", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(session)!;
        long weights = (40 * 8) + 40 + (16 * 40) + 3 + 16;
        Assert.True(session.DeviceBytes >= weights * sizeof(float), $"{session.DeviceBytes} bytes");
        Assert.NotEmpty(resources.Buffers);
        Assert.All(resources.Buffers, b => Assert.False(b.IsDisposed));

        session.Dispose();
        Assert.Equal(0, session.DeviceBytes);
        Assert.All(resources.Buffers, b => Assert.True(b.IsDisposed));
        Assert.Throws<ObjectDisposedException>(() => session.ForwardBatch(new float[8], new float[3]));
        session.Dispose();
    }

    [Fact]
    public void A_session_too_large_for_the_device_is_a_clear_exception()
    {
        var compiled = CompiledNetworks.Compile(new[] { Dense(4096, 4, 4) }, gpu: true);

        // 2^28 rows of 4,096 input floats is 4 TiB, far past this machine's memory; the weights fit.
        var e = Assert.Throws<GpuOutOfMemoryException>(() => compiled[0].CreateGpuSession(accelerator.Device, 1 << 28));
        Assert.Equal(4L << 40, e.RequestedBytes);
        Assert.Contains("cannot allocate 4,398,046,511,104 bytes", e.Message);
        Assert.Contains("maxRows", e.Message);
    }

    [Fact]
    public void Wrong_lengths_name_the_expected_size()
    {
        var compiled = CompiledNetworks.Compile(new[] { Dense(6, 10, 4) }, gpu: true);
        using var session = compiled[0].CreateGpuSession(accelerator.Device, 8);
        var e = Assert.Throws<ArgumentException>(() => session.Forward(new float[5], new float[4]));
        Assert.Contains("Expected input to have length 6, but it is 5", e.Message);
        e = Assert.Throws<ArgumentException>(() => session.ForwardBatch(new float[12], new float[4]));
        Assert.Contains("Expected outputs to have length 8", e.Message);
        session.ForwardBatch(ReadOnlySpan<float>.Empty, Span<float>.Empty);
    }

    [Fact]
    public void Sessions_on_one_device_run_side_by_side()
    {
        var random = new RandomNetworks(8);
        string json = Dense(12, 48, 7);
        var compiled = CompiledNetworks.Compile(new[] { json }, gpu: true);
        var reference = new ReferenceNetwork(json);
        float[][] inputs = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 20).SelectMany(_ => random.Input(12)).ToArray()).ToArray();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            using var session = compiled[0].CreateGpuSession(accelerator.Device, 8);
            for (int repeat = 0; repeat < 5; repeat++)
            {
                float[] outputs = new float[20 * 7];
                session.ForwardBatch(inputs[t], outputs);
                for (int r = 0; r < 20; r++)
                {
                    Accuracy.Compare(reference.Evaluate(inputs[t].AsSpan(r * 12, 12), new()), outputs.AsSpan(r * 7, 7).ToArray(), $"thread {t}, row {r}");
                }
            }
        });
    }

    [Fact]
    public void Steps_say_where_they_run_and_activations_fuse_into_linear_layers()
    {
        // 8→40 is 320 weights, 40→3 is 120: with gpu_min_weights 200 only the first is "large".
        var json = JsonNode.Parse(Dense(8, 40, 3))!.AsObject();
        json["gpu"] = "large";
        json["gpu_min_weights"] = 200;
        var compiled = CompiledNetworks.Compile(new[] { json.ToJsonString() }, gpu: true);
        using var session = compiled[0].CreateGpuSession(accelerator.Device, 4);
        Assert.Equal(
            new[] { "linear 8→40 + gelu @device", "linear 40→3 @host", "softmax @host" },
            session.Steps.Select(s => $"{s.Op} @{(s.OnDevice ? "device" : "host")}"));
    }

    [Fact]
    public void The_attribute_form_places_layers_as_the_json_form_does()
    {
        const string source = """
            using NetGen;

            [Network(input: 2, Gpu = GpuLayers.Large, GpuMinWeights = 6)]
            [Linear(3, "1 0; 0 1; 1 1", Activation = Activation.Relu)]
            [Linear(2, "1 0 1; 0 1 1", Gpu = true)]
            [Linear(1, "1 1")]
            public static partial class Net;
            """;
        var run = Harness.GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        string generated = run.Source("Net.g.cs");
        string[] calls = generated.Split('\n').Where(l => l.TrimStart().StartsWith("session.", StringComparison.Ordinal)).Select(l => l.Trim()).ToArray();

        // 6 weights meet GpuMinWeights; the 2→1 layer's 2 do not; the marked 3→2 runs there anyway.
        Assert.Equal(3, calls.Length);
        Assert.EndsWith("global::NetGen.Gpu.GpuActivation.Relu, 0f, onDevice: true);", calls[0]);
        Assert.EndsWith("onDevice: true);", calls[1]);
        Assert.EndsWith("onDevice: false);", calls[2]);
        Assert.Empty(run.CompilerDiagnostics);
    }

    [Fact]
    public void A_missing_cuda_device_is_a_specific_exception()
    {
        // On a machine with CUDA this opens it; without one it must fail clearly, not inside ILGPU.
        try
        {
            using var device = GpuDevice.Create(GpuBackend.Cuda);
            Assert.Equal(GpuBackend.Cuda, device.Backend);
        }
        catch (GpuUnavailableException e)
        {
            Assert.StartsWith("No CUDA device was found. Devices ILGPU sees here:", e.Message);
            Assert.Contains("CPU", e.Message);
        }
    }

    [Fact]
    public void Auto_names_the_backend_it_picked()
    {
        using var device = GpuDevice.Create();
        Assert.True(Enum.IsDefined(device.Backend) && device.Backend != GpuBackend.Auto);
        Assert.EndsWith($"({device.Backend})", device.ToString());
        output.WriteLine($"GpuDevice.Create() picked {device}");
    }

    /// <summary>A 3-layer network, input → hidden (GELU) → output (softmax), all linear layers on the device.</summary>
    private static string Dense(int input, int hidden, int output)
    {
        var generator = new Random(input * 1000 + hidden);
        JsonArray Matrix(int rows, int columns) => new(Enumerable.Range(0, rows)
            .Select(_ => (JsonNode)new JsonArray(Enumerable.Range(0, columns).Select(_ => (JsonNode)((float)((generator.NextDouble() * 2) - 1) / MathF.Sqrt(columns))).ToArray()))
            .ToArray());
        JsonArray Vector(int length) => new(Enumerable.Range(0, length).Select(_ => (JsonNode)(float)(generator.NextDouble() - 0.5)).ToArray());
        return new JsonObject
        {
            ["format"] = "netgen/1",
            ["input"] = input,
            ["gpu"] = "all",
            ["layers"] = new JsonArray(
                new JsonObject { ["op"] = "linear", ["out"] = hidden, ["weight"] = Matrix(hidden, input), ["bias"] = Vector(hidden), ["activation"] = "gelu" },
                new JsonObject { ["op"] = "linear", ["out"] = output, ["weight"] = Matrix(output, hidden), ["bias"] = Vector(output) },
                new JsonObject { ["op"] = "softmax" }),
        }.ToJsonString();
    }

    /// <summary>
    /// Gives a random description GPU placement: the network's rule ("all", or "large" with a
    /// small threshold), some layers marked on or off the device, and the first weighted layer
    /// always on it. Null for a network with no linear or swiglu layer.
    /// </summary>
    private static string? WithGpuLayers(string json, Random random)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var weighted = new List<JsonObject>();
        void Collect(JsonArray layers)
        {
            foreach (var layer in layers.Select(l => l!.AsObject()))
            {
                switch ((string)layer["op"]!)
                {
                    case "linear" or "swiglu":
                        weighted.Add(layer);
                        break;
                    case "residual":
                        Collect(layer["layers"]!.AsArray());
                        break;
                }
            }
        }

        Collect(root["layers"]!.AsArray());
        if (weighted.Count == 0)
        {
            return null;
        }

        if (random.Next(2) == 0)
        {
            root["gpu"] = "all";
        }
        else
        {
            root["gpu"] = "large";
            root["gpu_min_weights"] = random.Next(1, 400);
        }

        foreach (var layer in weighted.Skip(1))
        {
            switch (random.Next(4))
            {
                case 0: layer["gpu"] = false; break;
                case 1: layer["gpu"] = true; break;
            }
        }

        weighted[0]["gpu"] = true;
        return root.ToJsonString();
    }
}

/// <summary>One CPU accelerator for all GPU tests (ILGPU compiles each kernel once per accelerator).</summary>
public sealed class CpuAccelerator : IDisposable
{
    public CpuAccelerator() => Device = GpuDevice.Create(GpuBackend.Cpu);

    internal GpuDevice Device { get; }

    public void Dispose() => Device.Dispose();
}

[CollectionDefinition(nameof(CpuAcceleratorCollection))]
public sealed class CpuAcceleratorCollection : ICollectionFixture<CpuAccelerator>;
