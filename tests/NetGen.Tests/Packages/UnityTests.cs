using System;
using System.IO;
using System.Linq;
using NetGen.Generator.Model;
using NetGen.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Packages;

/// <summary>
/// Unity without a Unity licence: the generator in Unity's Roslyn (4.3.1's driver, in
/// <c>tests/NetGen.Unity/Host</c>), descriptions named as Unity passes them, C# 9 against
/// netstandard2.1 and the runtime's netstandard2.1 build, and the program run under Mono,
/// Unity's scripting runtime, on random networks of every op, the digits model, an attribute
/// network and an ONNX model converted beforehand, checked against the float64 reference.
/// </summary>
/// <remarks>
/// Mono is Debian's 6.8 (<c>mono-devel</c>, for its <c>netstandard.dll</c> facade; installed by
/// <c>tests/run</c>). Its <c>mscorlib</c> declares the <c>ref readonly</c> returns of
/// <c>ReadOnlySpan&lt;T&gt;</c> (the indexer) without the <c>modreq(InAttribute)</c> that
/// netstandard 2.1's reference assembly and Unity's own corlib give them, so any netstandard2.1
/// assembly that indexes a <c>ReadOnlySpan</c> fails there with <c>MissingMethodException</c>
/// (measured). The program and the shipped runtime assembly are therefore run with that one
/// modifier taken off their references to the framework (<see cref="MonoSignatures"/>), and
/// nothing else changed.
/// </remarks>
[Trait("Category", "Unity")]
public sealed class UnityTests(ITestOutputHelper output)
{
    private const string MonoLibrary = "/usr/lib/mono/4.5";

    [Fact]
    public void Scripts_compiled_as_Unity_compiles_them_run_under_Mono_and_agree_with_the_reference()
    {
        Assert.True(File.Exists(Path.Combine(MonoLibrary, "Facades", "netstandard.dll")),
            $"Mono with its facades ({MonoLibrary}/Facades/netstandard.dll) is not installed: tests/run installs it (Debian's mono-devel).");
        string root = Directory.CreateTempSubdirectory("netgen-unity-").FullName;
        try
        {
            var everyOp = Ops.Activations.SelectMany(a => a.Forms.Select(f => f.JsonName))
                .Concat(new[] { "linear", "affine", "layer_norm", "rms_norm", "batch_norm", "residual", "swiglu", "slice", "mask" }).ToList();
            var project = ConsumerProject.ForUnity(Path.Combine(root, "Assets"), everyOp);
            output.WriteLine($"{project.Rows.Count} rows; ops: {string.Join(", ", project.Ops.Order(StringComparer.Ordinal))}");

            // As Unity compiles: C# 9 against netstandard.dll 2.1 and the shipped netstandard2.1 runtime.
            var unity = Command.Run(root, "dotnet", UnityHost.Assembly, project.Folder);
            output.WriteLine(unity.Output);
            Assert.True(unity.ExitCode == 0, unity.Describe());
            Assert.Contains("# Roslyn 4.3.", unity.Output, StringComparison.Ordinal);

            // Then under Mono, Unity's scripting runtime.
            string bin = Path.Combine(project.Folder, "bin");
            int patched = MonoSignatures.Patch(Path.Combine(bin, "Program.exe")) + MonoSignatures.Patch(Path.Combine(bin, "NetGen.Runtime.dll"));
            var run = Command.Run(project.Folder, "mono", Path.Combine(bin, "Program.exe"), "inputs.txt");
            output.WriteLine($"{patched} framework references had the modifier Debian's Mono lacks");
            project.Check(run, "Mono");
            output.WriteLine($"Mono ran {project.Rows.Count} rows in {run.Elapsed.TotalMilliseconds:F0} ms");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_generator_the_package_ships_for_Unity_references_no_Roslyn_above_4_3()
    {
        var roslyn = typeof(NetGen.Generator.NetworkGenerator).Assembly.GetReferencedAssemblies()
            .Where(a => a.Name!.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(roslyn);
        Assert.All(roslyn, a => Assert.True(a.Version <= new Version(4, 3, 0, 0), $"{a.Name} {a.Version}"));
    }
}
