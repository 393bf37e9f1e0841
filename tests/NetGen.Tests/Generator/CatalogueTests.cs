using System;
using System.Linq;
using System.Reflection;
using NetGen.Generator.Model;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// The op catalogue against the libraries its entries name: every runtime member a generated call
/// or a store's epilogue uses exists (the backward pass's too), every attribute the catalogue reads is declared, and the
/// enums the attribute form binds by member name agree with the generator's.
/// </summary>
public sealed class CatalogueTests
{
    private static readonly Assembly Runtime = typeof(NetGen.Runtime.PackedLinear).Assembly;

    [Fact]
    public void Every_epilogue_and_device_activation_the_catalogue_names_exists()
    {
        var epilogues = Enum.GetNames<NetGen.Runtime.Epilogue>();
        var device = Enum.GetNames<NetGen.Gpu.GpuActivation>();
        foreach (ActivationOp op in Ops.Activations)
        {
            if (op.Epilogue is { } epilogue)
            {
                Assert.Contains(epilogue, epilogues);
            }

            if (op.GpuActivation is { } activation)
            {
                Assert.Contains(activation, device);
            }

            // An epilogue applies the activation a panel at a time: only an element-wise one can be.
            Assert.True(op.Epilogue is null || op.Elementwise, $"{op.Name} has an epilogue but is not element-wise");
        }
    }

    [Fact]
    public void Every_activation_s_backward_call_names_a_Gradients_method_of_its_arity()
    {
        foreach (ActivationOp op in Ops.Activations)
        {
            string[] arguments = op.Parameters.Select(_ => "0.5f").ToArray();
            string call = op.Gradient(new GradientCall("x", "y", "dy", "dx", "4", arguments, "false"));
            const string Prefix = "global::NetGen.Runtime.Gradients.";
            Assert.StartsWith(Prefix, call, StringComparison.Ordinal);
            string name = call[Prefix.Length..call.IndexOf('(')];
            int arity = call[(call.IndexOf('(') + 1)..call.LastIndexOf(')')].Split(',').Length;
            Assert.True(
                typeof(NetGen.Runtime.Gradients).GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == name && m.GetParameters().Length == arity),
                $"{op.Name}'s backward calls Gradients.{name} with {arity} arguments, which the runtime does not declare");
            string math = op.DerivativeOf("x", "y", "dx", "dy", accumulate: true);
            Assert.StartsWith("dx", math, StringComparison.Ordinal);
            Assert.Contains(" += ", math, StringComparison.Ordinal);
            Assert.DoesNotContain("{", math, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_layer_attribute_of_the_catalogue_is_declared_by_the_runtime_and_every_declared_one_is_in_it()
    {
        var declared = Runtime.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(NetGen.LayerAttribute)) && !t.IsAbstract && t.Name != "EndResidualAttribute")
            .Select(t => t.Name[..^"Attribute".Length])
            .OrderBy(n => n, StringComparer.Ordinal);
        var catalogue = Ops.Layers.Where(l => l.AttributeName is not null).Select(l => l.AttributeName!).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(catalogue, declared);
    }

    [Fact]
    public void Every_member_of_the_Activation_enum_names_an_activation_of_the_catalogue()
    {
        foreach (string member in Enum.GetNames<NetGen.Activation>().Where(m => m != nameof(NetGen.Activation.None)))
        {
            Assert.True(Ops.FromAttribute(member) is { IsActivation: true }, $"NetGen.Activation.{member} is not an activation of the catalogue");
        }
    }

    [Fact]
    public void The_attribute_enums_have_the_generator_enums_member_names()
    {
        Assert.Equal(Enum.GetNames<NetworkStrategy>().Order(), Enum.GetNames<NetGen.NetworkStrategy>().Order());
        Assert.Equal(Enum.GetNames<GpuLayers>().Order(), Enum.GetNames<NetGen.GpuLayers>().Order());
    }

    [Fact]
    public void Names_are_unique_and_every_activation_has_a_form()
    {
        Assert.Equal(Ops.Activations.Count, Ops.Activations.Select(a => a.Name).Distinct().Count());
        Assert.Equal(Ops.Layers.Count, Ops.Layers.Select(l => l.JsonName).Distinct().Count());
        Assert.All(Ops.Activations, a => Assert.Contains(Ops.Layers, l => l.Activations.Contains(a)));
    }
}
