using System;
using System.Linq;
using System.Text.Json.Nodes;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>No string of a description can change what the generated code means.</summary>
public sealed class InjectionTests
{
    [Theory]
    [InlineData("*/ public static int Injected = 1; /*")]
    [InlineData("line one\npublic static int Injected = 1;")]
    [InlineData("line one\r\n#line 1 \"evil.cs\"\npublic static int Injected = 1;")]
    [InlineData("line one\u2028public static int Injected = 1;")]
    [InlineData("line one\u2029public static int Injected = 1;\u0085more")]
    [InlineData("</summary><summary>public static int Injected = 1;")]
    [InlineData("\"; public static int Injected = 1; //")]
    public void A_description_stays_inside_its_comment(string description)
    {
        var json = new JsonObject
        {
            ["format"] = "netgen/1",
            ["input"] = 2,
            ["description"] = description,
            ["layers"] = new JsonArray(new JsonObject { ["op"] = "relu" }),
        }.ToJsonString();

        GeneratorRun run = GeneratorHarness.Run("[NetGen.Network(\"net.netgen.json\")] public static partial class Net;", ("/net.netgen.json", json));

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        string source = run.Source("Net.g.cs");
        Assert.DoesNotContain(source.Split('\n'), line => line.TrimStart().StartsWith("#line", StringComparison.Ordinal));
        Assert.DoesNotContain(source.Split('\n'), line => line.TrimStart().StartsWith("public static int Injected", StringComparison.Ordinal));
        Assert.DoesNotContain('\u2028', source);
        Assert.DoesNotContain('\u2029', source);
        var type = GeneratorHarness.Load(run.Compilation).GetType("Net")!;
        Assert.Null(type.GetField("Injected"));
    }

    [Theory]
    [InlineData("layer\nname")]
    [InlineData("a*/b")]
    [InlineData("#line")]
    [InlineData("name\u2028x")]
    [InlineData("naïve")]
    [InlineData("x y")]
    [InlineData("_hidden")]
    public void A_name_that_is_not_a_plain_identifier_is_refused(string name)
    {
        string json = new JsonObject
        {
            ["format"] = "netgen/1",
            ["input"] = 2,
            ["layers"] = new JsonArray(new JsonObject { ["op"] = "relu", ["name"] = name }),
        }.ToJsonString();

        GeneratorRun run = GeneratorHarness.Run("[NetGen.Network(\"net.netgen.json\")] public static partial class Net;", ("/net.netgen.json", json));

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("NG0010", diagnostic.Id);
        Assert.DoesNotContain('\n', diagnostic.GetMessage());
        Assert.DoesNotContain('\u2028', diagnostic.GetMessage());
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Keywords_are_valid_names_and_become_escaped_identifiers()
    {
        string json = new JsonObject
        {
            ["format"] = "netgen/1",
            ["input"] = 2,
            ["layers"] = new JsonArray(
                new JsonObject { ["op"] = "linear", ["name"] = "class", ["out"] = 2, ["weight"] = new JsonArray(new JsonArray(1, 0), new JsonArray(0, 1)), ["activation"] = "tanh" },
                new JsonObject { ["op"] = "relu", ["name"] = "event" },
                new JsonObject { ["op"] = "layer_norm", ["name"] = "int" }),
        }.ToJsonString();

        var compiled = CompiledNetworks.Compile([json]);
        var fields = compiled[0].ForwardCache([0.5f, -0.5f], new float[2]);
        Assert.Equal(["class_z", "class", "event", "int"], fields.Select(f => f.Name));
    }
}
