using System.Reflection;
using Capsule.Vm;

namespace Capsule.Server.Tests.Architecture;

/// <summary>
/// The control plane reaches the VM layer only through Sessions (plus the wiring in Program/Hosting and the host view
/// of Health): every signature, field, local and closure of every other server type is read by reflection and must
/// name no type of Capsule.Vm; and the set of VM types the server names at all is pinned.
/// </summary>
public sealed class VmBoundaryTests
{
    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Assembly Server = typeof(Capsule.Server.Sessions.SessionActor).Assembly;
    private static readonly Assembly Vm = typeof(IMachineHost).Assembly;

    /// <summary>Namespaces that may name VM types: the one translation (Sessions), the wiring, the host's health view.</summary>
    private static readonly string[] AllowedNamespaces =
        ["Capsule.Server.Sessions", "Capsule.Server.Hosting", "Capsule.Server.Health"];

    /// <summary>Every VM type the server may name. A new one is a decision: add it here and say why in the review.</summary>
    private static readonly string[] PinnedVmTypes =
    [
        nameof(AcceleratorInfo), nameof(NetworkInfo), nameof(CapacityInfo), nameof(ExecLanguageKind), nameof(ExecRequest), nameof(ExecResult),
        nameof(IMachine), nameof(IMachineHost), nameof(MachineErrorCode), nameof(MachineException), nameof(MachineExit),
        nameof(MachineExitReason), nameof(MachineLimits), nameof(MachineSpec), nameof(MachineStats), nameof(OutputChunk),
        nameof(OutputStreamKind), nameof(ServiceCollectionExtensions), nameof(WarmPoolInfo),
        // Egress (docs/network.md §4): the rules a session's policy becomes, the usage counters, the host's denial totals.
        nameof(EgressRules), nameof(NetworkCounters), nameof(EgressDenials),
        // PTYs (docs/agent-protocol.md "pty"): Sessions.Terminals wraps the machine's terminal; the API sees only Terminal.
        nameof(IMachinePty), nameof(PtyRequest),
    ];

    [Fact]
    public void ApiAndExecutions_NameNoVmType()
    {
        var offenders = Server.GetTypes()
            .Where(type => !IsAllowed(OuterMost(type)))
            .SelectMany(type => VmTypesNamedBy(type).Select(vm => $"{type.FullName} names {vm.Name}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Server_NamesOnlyThePinnedVmTypes()
    {
        var named = Server.GetTypes().SelectMany(VmTypesNamedBy).Select(t => t.Name).Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Empty(named.Except(PinnedVmTypes, StringComparer.Ordinal));
    }

    [Fact]
    public void VmLayer_GivesTheServerNoInternals()
    {
        var friends = Vm.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>().Select(a => a.AssemblyName);

        Assert.DoesNotContain("Capsule.Server", friends);
        Assert.DoesNotContain(Vm.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    private static bool IsAllowed(Type type) =>
        type.Namespace is { } ns && AllowedNamespaces.Any(allowed => ns == allowed || ns.StartsWith(allowed + ".", StringComparison.Ordinal))
        || type.Name is "Program" or "<Program>$";

    private static Type OuterMost(Type type)
    {
        while (type.DeclaringType is { } outer)
            type = outer;
        return type;
    }

    /// <summary>The VM types in <paramref name="type"/>'s base, interfaces, fields, properties, method signatures and locals.</summary>
    private static IEnumerable<Type> VmTypesNamedBy(Type type)
    {
        var named = new List<Type>();
        if (type.BaseType is { } baseType)
            named.Add(baseType);
        named.AddRange(type.GetInterfaces());
        named.AddRange(type.GetFields(Everything).Select(f => f.FieldType));
        named.AddRange(type.GetProperties(Everything).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info)
                named.Add(info.ReturnType);
            named.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method.GetMethodBody() is { } body)
                named.AddRange(body.LocalVariables.Select(l => l.LocalType));
        }
        return named.SelectMany(Unwrap).Where(t => t.Assembly == Vm).Distinct();
    }

    /// <summary>A type and every type inside it: generic arguments, array elements, by-ref targets.</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in Unwrap(type.GetElementType()!))
                yield return inner;
        }
        if (type.IsGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Unwrap))
                yield return inner;
        }
    }
}
