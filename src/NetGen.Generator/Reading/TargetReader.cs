using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Reading;

/// <summary>
/// Reads a class carrying [Network] into a <see cref="NetworkTarget"/>. For a network described
/// by attributes it also reads the layers, since they live on the class.
/// </summary>
internal static class TargetReader
{
    public const string AttributeName = "NetGen.NetworkAttribute";

    public static TargetResult Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (ClassDeclarationSyntax)context.TargetNode;
        AttributeData attribute = context.Attributes[0];
        cancellationToken.ThrowIfCancellationRequested();

        if (!IsStaticPartial(symbol, out string found))
        {
            diagnostics.Add(Info(DiagnosticDescriptors.NotStaticPartialClass, syntax.Identifier.GetLocation(), symbol.Name, found));
        }

        Location pathLocation = ArgumentLocation(attribute, cancellationToken) ?? syntax.Identifier.GetLocation();
        bool byAttributes = attribute.AttributeConstructor is { Parameters.Length: 1 } constructor
            && constructor.Parameters[0].Type.SpecialType == SpecialType.System_Int32;
        string? path = byAttributes ? null : attribute.ConstructorArguments.FirstOrDefault().Value as string;
        if (!byAttributes && string.IsNullOrWhiteSpace(path))
        {
            diagnostics.Add(Info(DiagnosticDescriptors.InvalidNetworkPath, pathLocation, path is null ? "null" : "\"" + path + "\""));
        }

        if (!byAttributes && symbol.GetAttributes().FirstOrDefault(AttributeNetworkReader.IsLayerAttribute) is { } layer)
        {
            Location layerLocation = layer.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? syntax.Identifier.GetLocation();
            diagnostics.Add(Info(DiagnosticDescriptors.MixedForms, layerLocation, symbol.Name, path ?? string.Empty));
        }

        // The attribute's Strategy and Gpu bind by member name to NetworkStrategy's and GpuLayers', so
        // the runtime's enums and the generator's need agree on names only; and GpuMinWeights.
        var strategy = NetworkStrategy.Auto;
        GpuLayers? gpu = null;
        long? gpuMinWeights = null;
        bool trainable = false;
        foreach (var argument in attribute.NamedArguments)
        {
            switch (argument.Key, argument.Value.Value)
            {
                case ("Strategy", int value):
                    if (MemberName(argument.Value, value) is { } s && Enum.TryParse(s, out NetworkStrategy parsedStrategy))
                    {
                        strategy = parsedStrategy;
                    }
                    else
                    {
                        ReportArgument("Strategy", "a value of NetGen.NetworkStrategy", value);
                    }

                    break;
                case ("Gpu", int value):
                    if (MemberName(argument.Value, value) is { } g && Enum.TryParse(g, out GpuLayers parsedGpu))
                    {
                        gpu = parsedGpu;
                    }
                    else
                    {
                        ReportArgument("Gpu", "a value of NetGen.GpuLayers", value);
                    }

                    break;
                case ("GpuMinWeights", long value) when value > 0:
                    gpuMinWeights = value;
                    break;
                case ("GpuMinWeights", long value):
                    ReportArgument("GpuMinWeights", "a positive number of weights", value);
                    break;
                case ("Trainable", bool value):
                    trainable = value;
                    break;
            }
        }

        if (diagnostics.Count > 0)
        {
            return new TargetResult(null, null, diagnostics.ToEquatableArray());
        }

        void ReportArgument(string name, string expected, long found) =>
            diagnostics.Add(Info(DiagnosticDescriptors.InvalidValue, NamedArgumentLocation(attribute, name, cancellationToken) ?? pathLocation,
                name, expected, found.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // The attribute form's layers live on the class: read them here, check them with a file's.
        NetworkSpec? spec = null;
        if (byAttributes)
        {
            spec = AttributeNetworkReader.Read(symbol, attribute, diagnostics, cancellationToken);
            if (spec is null || diagnostics.Count > 0)
            {
                return new TargetResult(null, spec, diagnostics.ToEquatableArray());
            }
        }

        string? ns = symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString();
        var containing = new List<string>();
        for (INamedTypeSymbol? type = symbol.ContainingType; type is not null; type = type.ContainingType)
        {
            containing.Insert(0, "partial " + Keyword(type) + " " + NameWithTypeParameters(type));
        }

        string hint = string.Concat(symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty)
            .Select(c => char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_')) + ".g.cs";

        var target = new NetworkTarget(ns, containing.ToEquatableArray(), NameWithTypeParameters(symbol), hint, path, ToCodeLocation(pathLocation), strategy, gpu, gpuMinWeights, trainable);
        return new TargetResult(target, spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>A syntactic pre-filter: does the class carry an attribute named like a layer attribute?</summary>
    public static bool MayHaveLayerAttributes(ClassDeclarationSyntax declaration) =>
        declaration.AttributeLists.SelectMany(l => l.Attributes).Any(a =>
        {
            string name = a.Name is QualifiedNameSyntax q ? q.Right.Identifier.ValueText : a.Name is SimpleNameSyntax s ? s.Identifier.ValueText : string.Empty;
            name = name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
            return Ops.FromAttribute(name) is not null || name == "EndResidual";
        });

    /// <summary>NG0107 for a class with layer attributes and no [Network]; nothing otherwise.</summary>
    public static EquatableArray<DiagnosticInfo> ReadStrayLayers(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declaration = (ClassDeclarationSyntax)context.Node;
        if (context.SemanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol symbol
            || symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeName))
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }

        // Report once, on the declaration that holds the first layer attribute.
        AttributeData? first = symbol.GetAttributes().FirstOrDefault(AttributeNetworkReader.IsLayerAttribute);
        if (first?.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not { } syntax || syntax.FirstAncestorOrSelf<ClassDeclarationSyntax>() != declaration)
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }

        return new EquatableArray<DiagnosticInfo>(new[] { Info(DiagnosticDescriptors.LayersWithoutNetwork, syntax.GetLocation(), symbol.Name) });
    }

    /// <summary>The name of the enum member an attribute argument holds, or null when the value names none.</summary>
    private static string? MemberName(TypedConstant constant, int value) =>
        constant.Type?.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value))?.Name;

    private static bool IsStaticPartial(INamedTypeSymbol symbol, out string found)
    {
        var problems = new List<string>();
        if (!symbol.IsStatic)
        {
            problems.Add("a class that is not static");
        }

        for (INamedTypeSymbol? type = symbol; type is not null; type = type.ContainingType)
        {
            bool partial = type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial)
            {
                problems.Add(SymbolEqualityComparer.Default.Equals(type, symbol) ? "a class that is not partial" : $"the containing type '{type.Name}', which is not partial");
            }
        }

        found = string.Join(" and ", problems);
        return problems.Count == 0;
    }

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string NameWithTypeParameters(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? type.Name : type.Name + "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";

    private static Location? ArgumentLocation(AttributeData attribute, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments: { Count: > 0 } arguments }
            ? arguments[0].GetLocation()
            : attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();

    private static Location? NamedArgumentLocation(AttributeData attribute, string name, CancellationToken cancellationToken) =>
        (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax)?.ArgumentList?.Arguments
            .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.Expression.GetLocation();

    private static DiagnosticInfo Info(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        var code = ToCodeLocation(location);
        return DiagnosticInfo.Create(descriptor.Id, code.FilePath, code.Range, arguments);
    }

    private static CodeLocation ToCodeLocation(Location location)
    {
        FileLinePositionSpan lines = location.GetLineSpan();
        return new CodeLocation(
            lines.Path ?? string.Empty,
            new SourceRange(location.SourceSpan.Start, location.SourceSpan.Length, lines.StartLinePosition.Line, lines.StartLinePosition.Character, lines.EndLinePosition.Line, lines.EndLinePosition.Character));
    }
}
