using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using NetGen.Generator;
using NetGen.Generator.Model;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>The pipeline's models hold values only, and two runs give equal ones.</summary>
public sealed class ModelTests
{
    [Fact]
    public void Pipeline_models_hold_only_strings_numbers_enums_and_equatable_arrays()
    {
        // Every type a pipeline step outputs, the readers' common model, and everything reachable from their fields.
        var roots = new[] { typeof(NetworkFile), typeof(TargetResult), typeof(UnitResult), typeof(PlanResult), typeof(NetworkSpec) };
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>(roots);
        while (pending.Count > 0)
        {
            Type type = pending.Pop();
            if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal))
            {
                continue;
            }

            // The op catalogue's entries: models refer to its static instances, which hold the
            // emitters' call templates and compare by name.
            if (type == typeof(ActivationOp) || type == typeof(OpForm))
            {
                Assert.True(type.GetMethod("Equals", [type]) is not null, $"{type} has no value equality");
                continue;
            }

            Type inner = Nullable.GetUnderlyingType(type) ?? type;
            if (inner != type)
            {
                pending.Push(inner);
                continue;
            }

            Assert.False(typeof(ISymbol).IsAssignableFrom(type), $"{type} is a symbol");
            Assert.False(typeof(SyntaxNode).IsAssignableFrom(type), $"{type} is a syntax node");
            Assert.False(typeof(Compilation).IsAssignableFrom(type), $"{type} is a compilation");
            Assert.True(type.Namespace?.StartsWith("NetGen.Generator", StringComparison.Ordinal), $"{type} is not a NetGen model type");

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
            {
                pending.Push(type.GetGenericArguments()[0]);
                continue;
            }

            Assert.True(type.GetMethod("Equals", [type]) is not null, $"{type} has no value equality");
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                pending.Push(field.FieldType);
            }

            // Derived records (the layer kinds) are reachable through their base type.
            foreach (Type derived in type.Assembly.GetTypes().Where(t => t.BaseType == type))
            {
                pending.Push(derived);
            }
        }

        Assert.Contains(typeof(NetGen.Generator.Lowering.WeightPlan), seen);
        Assert.Contains(typeof(EquatableArray<float>), seen);
        Assert.Contains(typeof(SwiGluSpec), seen);
    }

    [Fact]
    public void Two_runs_of_the_same_inputs_give_equal_models()
    {
        string json = Fixtures.Network("block.netgen.json");
        const string Source = "[NetGen.Network(\"block.netgen.json\")] public static partial class Block;";
        var first = GeneratorHarness.Run(Source, ("/block.netgen.json", json)).Result.Results.Single().TrackedSteps;
        var second = GeneratorHarness.Run(Source, ("/block.netgen.json", json)).Result.Results.Single().TrackedSteps;

        foreach (string step in new[] { TrackingNames.Descriptions, TrackingNames.Targets, TrackingNames.Units, TrackingNames.Plans })
        {
            object[] a = first[step].SelectMany(s => s.Outputs).Select(o => o.Value).ToArray();
            object[] b = second[step].SelectMany(s => s.Outputs).Select(o => o.Value).ToArray();
            Assert.NotEmpty(a);
            Assert.Equal(a, b);
            Assert.Equal(a.Select(v => v.GetHashCode()), b.Select(v => v.GetHashCode()));
        }
    }
}
