using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Tests.Harness;

/// <summary>
/// Compiles many descriptions in one compilation (one class each) and exposes their generated
/// entry points through small adapters, since spans cannot cross reflection.
/// </summary>
internal sealed class CompiledNetworks
{
    private readonly Assembly _assembly;

    private CompiledNetworks(Assembly assembly, string source)
    {
        _assembly = assembly;
        Source = source;
    }

    /// <summary>All generated source, concatenated.</summary>
    public string Source { get; }

    /// <summary>A generated constant of network <paramref name="index"/>, such as ParameterCount.</summary>
    public long Constant(int index, string name) =>
        Convert.ToInt64(_assembly.GetType($"Random{index}.Net", throwOnError: true)!.GetField(name)!.GetRawConstantValue());

    /// <param name="descriptions">The descriptions, one class each.</param>
    /// <param name="gpu">Whether every network has GPU layers: the adapters then expose CreateGpuSession.</param>
    /// <param name="weightFiles">
    /// Per description, the bytes of the weight file its <c>"file"</c> tensors name as
    /// <c>weights{index}.bin</c> (null: none); the build's part is played here: the generator is
    /// told each file's length and the files are embedded as resources.
    /// </param>
    /// <param name="unity">
    /// Compile as Unity does (C# 9, netstandard2.1, the runtime's netstandard2.1 build) and load
    /// the result with that build of the runtime: the C# 9 code and the <c>Vector&lt;T&gt;</c> kernels run
    /// on this process's vector width.
    /// </param>
    /// <param name="trainable">
    /// Whether each class asks for a trainable Model: the adapters then expose it (see
    /// <see cref="TrainingEntryPoints"/>).
    /// </param>
    public static CompiledNetworks Compile(IReadOnlyList<string> descriptions, bool gpu = false, IReadOnlyList<byte[]?>? weightFiles = null, bool unity = false, bool trainable = false)
    {
        var table = new List<(string, long, string)>();
        var resources = new Dictionary<string, byte[]>();
        for (int i = 0; i < (weightFiles?.Count ?? 0); i++)
        {
            if (weightFiles![i] is { } bytes)
            {
                string resource = $"NetGen.Weights/weights{i}.bin";
                table.Add(($"/nets/weights{i}.bin", bytes.Length, resource));
                resources[resource] = bytes;
            }
        }

        string gpuAdapter = gpu
            ? "public static NetGen.Gpu.GpuSession CreateGpuSession(NetGen.Gpu.GpuDevice device, int maxRows) => Net.CreateGpuSession(device, maxRows);"
            : string.Empty;
        var sources = new List<string>();
        var files = new List<(string, string)>();
        for (int i = 0; i < descriptions.Count; i++)
        {
            files.Add(($"/nets/net{i}.netgen.json", descriptions[i]));
            sources.Add($$"""
                namespace Random{{i}}
                {
                    [NetGen.Network("net{{i}}.netgen.json"{{(trainable ? ", Trainable = true" : string.Empty)}})]
                    public static partial class Net { }

                    public static class Adapter
                    {
                        public static void Forward(float[] x, float[] y) => Net.Forward(x, y);

                        public static void ForwardBatch(float[] x, float[] y) => Net.ForwardBatch(x, y);

                        public static void ForwardBatchParallel(float[] x, float[] y) => Net.ForwardBatch(x, y, threads: 2);

                        {{(unity ? CacheOfArrays : CacheOfInlineArrays)}}

                        public static System.Type CacheType => typeof(Net.Cache);

                        {{gpuAdapter}}

                        {{(trainable ? TrainingAdapter : string.Empty)}}
                    }
                }
                """);
        }

        GeneratorRun run = GeneratorHarness.Run(sources.ToArray(), files.ToArray(), weightFiles: GeneratorHarness.WeightFileTable(table.ToArray()), unity: unity);
        Assert.Empty(run.Diagnostics);

        // The generated code compiles without a single warning (users build with warnings as errors).
        var problems = run.CompilerDiagnostics.ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(10)));
        var assembly = unity ? GeneratorHarness.LoadWithUnityRuntime(run.Compilation, resources) : GeneratorHarness.Load(run.Compilation, resources);
        return new CompiledNetworks(assembly, string.Concat(run.Sources.Select(s => s.SourceText.ToString())));
    }

    /// <summary>The trainable Model's surface, through objects and arrays (spans cannot cross reflection).</summary>
    private const string TrainingAdapter = """
        public static object NewModel() => new Net.Model();

                                public static object NewCache(int rows) => new Net.BatchCache(rows);

                                public static string[] Names(object model) => System.Linq.Enumerable.ToArray(((Net.Model)model).ParameterNames);

                                public static float[] Parameters(object model) => ((Net.Model)model).Parameters.ToArray();

                                public static void SetParameters(object model, float[] values) => System.MemoryExtensions.AsSpan(values).CopyTo(((Net.Model)model).Parameters);

                                public static float[] Gradients(object model) => ((Net.Model)model).Gradients.ToArray();

                                public static void ZeroGradients(object model) => ((Net.Model)model).ZeroGradients();

                                public static void ModelForwardBatch(object model, float[] x, float[] y, object cache) => ((Net.Model)model).ForwardBatch(x, y, (Net.BatchCache)cache);

                                public static void ModelBackwardBatch(object model, object cache, float[] dy, float[] dx) => ((Net.Model)model).BackwardBatch((Net.BatchCache)cache, dy, dx);

                                public static string ToDescription(object model) => ((Net.Model)model).ToDescription();
        """;

    /// <summary>The Cache as C# 12 writes it, a struct of inline arrays: its floats, in field order.</summary>
    private const string CacheOfInlineArrays = """
        public static float[] ForwardCache(float[] x, float[] y)
                                {
                                    var cache = new Net.Cache();
                                    Net.Forward(x, y, ref cache);
                                    return System.Runtime.InteropServices.MemoryMarshal.Cast<Net.Cache, float>(
                                        System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref cache, 1)).ToArray();
                                }
        """;

    /// <summary>The Cache as C# 9 writes it, a class of arrays: its arrays' floats, in field order.</summary>
    private const string CacheOfArrays = """
        public static float[] ForwardCache(float[] x, float[] y)
                                {
                                    var cache = new Net.Cache();
                                    Net.Forward(x, y, ref cache);
                                    var fields = typeof(Net.Cache).GetFields();
                                    System.Array.Sort(fields, (a, b) => a.MetadataToken.CompareTo(b.MetadataToken));
                                    var all = new System.Collections.Generic.List<float>();
                                    foreach (var field in fields)
                                    {
                                        all.AddRange((float[])field.GetValue(cache)!);
                                    }

                                    return all.ToArray();
                                }
        """;

    public NetworkEntryPoints this[int index] => new(_assembly.GetType($"Random{index}.Adapter", throwOnError: true)!);

    /// <summary>Network <paramref name="index"/>'s trainable Model, for a compilation with <c>trainable: true</c>.</summary>
    public TrainingEntryPoints Training(int index) => new(_assembly.GetType($"Random{index}.Adapter", throwOnError: true)!);
}

internal sealed class NetworkEntryPoints(Type adapter)
{
    private readonly Action<float[], float[]> _forward = adapter.GetMethod("Forward")!.CreateDelegate<Action<float[], float[]>>();
    private readonly Action<float[], float[]> _forwardBatch = adapter.GetMethod("ForwardBatch")!.CreateDelegate<Action<float[], float[]>>();
    private readonly Action<float[], float[]> _forwardBatchParallel = adapter.GetMethod("ForwardBatchParallel")!.CreateDelegate<Action<float[], float[]>>();
    private readonly Func<float[], float[], float[]> _forwardCache = adapter.GetMethod("ForwardCache")!.CreateDelegate<Func<float[], float[], float[]>>();

    public void Forward(float[] x, float[] y) => _forward(x, y);

    public void ForwardBatch(float[] x, float[] y) => _forwardBatch(x, y);

    /// <summary>The generated ForwardBatch with its rows split across two threads.</summary>
    public void ForwardBatchParallel(float[] x, float[] y) => _forwardBatchParallel(x, y);

    /// <summary>The generated CreateGpuSession, for networks compiled with GPU layers.</summary>
    public NetGen.Gpu.GpuSession CreateGpuSession(NetGen.Gpu.GpuDevice device, int maxRows) =>
        adapter.GetMethod("CreateGpuSession")!.CreateDelegate<Func<NetGen.Gpu.GpuDevice, int, NetGen.Gpu.GpuSession>>()(device, maxRows);

    /// <summary>Runs Forward with a Cache and splits the Cache into its named fields.</summary>
    public List<(string Name, float[] Values)> ForwardCache(float[] x, float[] y)
    {
        float[] flat = _forwardCache(x, y);
        var cacheType = (Type)adapter.GetProperty("CacheType")!.GetValue(null)!;
        var fields = new List<(string, float[])>();
        int offset = 0;
        foreach (FieldInfo field in cacheType.GetFields().OrderBy(f => f.MetadataToken))
        {
            int length = field.FieldType.IsArray
                ? ((float[])field.GetValue(Activator.CreateInstance(cacheType))!).Length
                : field.FieldType.GetCustomAttribute<InlineArrayAttribute>()!.Length;
            fields.Add((field.Name, flat.AsSpan(offset, length).ToArray()));
            offset += length;
        }

        Assert.Equal(flat.Length, offset);
        return fields;
    }
}

/// <summary>A network's trainable Model through its adapter: each member calls the generated one of the same name.</summary>
internal sealed class TrainingEntryPoints(Type adapter)
{
    private T Call<T>(string name, params object[] arguments)
    {
        try
        {
            return (T)adapter.GetMethod(name)!.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private void Call(string name, params object[] arguments) => Call<object?>(name, arguments);

    public object NewModel() => Call<object>(nameof(NewModel));

    public object NewCache(int rows) => Call<object>(nameof(NewCache), rows);

    public string[] Names(object model) => Call<string[]>(nameof(Names), model);

    public float[] Parameters(object model) => Call<float[]>(nameof(Parameters), model);

    public void SetParameters(object model, float[] values) => Call(nameof(SetParameters), model, values);

    public float[] Gradients(object model) => Call<float[]>(nameof(Gradients), model);

    public void ZeroGradients(object model) => Call(nameof(ZeroGradients), model);

    public void ForwardBatch(object model, float[] x, float[] y, object cache) => Call("ModelForwardBatch", model, x, y, cache);

    public void BackwardBatch(object model, object cache, float[] dy, float[] dx) => Call("ModelBackwardBatch", model, cache, dy, dx);

    public string ToDescription(object model) => Call<string>(nameof(ToDescription), model);
}
