using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Emit;
using NetGen.Generator.Lowering;

namespace NetGen.Cli;

/// <summary>
/// Runs a network the way a user's build would: the generator's C# is compiled in memory
/// with Roslyn against NetGen.Runtime and loaded, and <c>Forward</c> runs with a <c>Cache</c>.
/// The trace is therefore the generated code's own numbers, not a second implementation's.
/// </summary>
internal static class Tracer
{
    private const string Namespace = "NetGenTrace";
    private const string ClassName = "Net";

    /// <summary>Each step's math (as in the generated comments) and the tensor it wrote.</summary>
    public static IReadOnlyList<(string Math, float[] Values)> Run(LoadedNetwork network, float[] input)
    {
        Type adapter = Compile(network);
        var run = adapter.GetMethod("Run")!.CreateDelegate<Func<float[], float[], float[]>>();
        var cacheType = (Type)adapter.GetProperty("CacheType")!.GetValue(null)!;
        var output = new float[network.Plan.OutputSize];
        float[] flat = run(input, output);

        // The Cache is a sequence of inline float arrays, one per tensor, in declaration order.
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        int offset = 0;
        foreach (FieldInfo field in cacheType.GetFields().OrderBy(f => f.MetadataToken))
        {
            int length = field.FieldType.GetCustomAttribute<InlineArrayAttribute>()!.Length;
            tensors[field.Name] = flat.AsSpan(offset, length).ToArray();
            offset += length;
        }

        var sizes = network.Plan.Tensors.ToDictionary(t => t.Name, t => t.Size);
        sizes[NetworkPlan.Input] = network.Plan.InputSize;
        var trace = new List<(string, float[])>();
        foreach (StepPlan step in network.Plan.Steps)
        {
            string math = StepMath.Describe(step, sizes).Skip(1).First().Trim();
            trace.Add((math, tensors.TryGetValue(step.Output, out var values) ? values : output));
        }

        return trace;
    }

    private static Type Compile(LoadedNetwork network)
    {
        string generated = NetworkLoader.Emit(network, ClassName, Namespace);
        string declaration = $$"""
            namespace {{Namespace}}
            {
                public static partial class {{ClassName}};

                public static class Adapter
                {
                    public static float[] Run(float[] input, float[] output)
                    {
                        var cache = new {{ClassName}}.Cache();
                        {{ClassName}}.Forward(input, output, ref cache);
                        return System.Runtime.InteropServices.MemoryMarshal.Cast<{{ClassName}}.Cache, float>(
                            System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref cache, 1)).ToArray();
                    }

                    public static System.Type CacheType => typeof({{ClassName}}.Cache);
                }
            }
            """;
        var parse = new CSharpParseOptions(LanguageVersion.CSharp12);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(NetGen.NetworkAttribute).Assembly.Location));
        var compilation = CSharpCompilation.Create(
            "NetGenTrace",
            new[] { CSharpSyntaxTree.ParseText(generated, parse), CSharpSyntaxTree.ParseText(declaration, parse) },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));
        using var image = new MemoryStream();
        // "file" tensors are read from resources, embedded here as a build would embed them.
        var resources = NetworkLoader.WeightResources(network)
            .Select(r => new ResourceDescription(r.ResourceName, () => File.OpenRead(r.FullPath), isPublic: true));
        var result = compilation.Emit(image, manifestResources: resources, cancellationToken: CancellationToken.None);
        if (!result.Success)
        {
            // The generated code always compiles; reaching this is a defect of NetGen.
            throw new InvalidOperationException("The generated code did not compile: " + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(3)));
        }

        image.Position = 0;
        var context = new AssemblyLoadContext("NetGenTrace", isCollectible: true);
        return context.LoadFromStream(image).GetType(Namespace + ".Adapter", throwOnError: true)!;
    }
}
