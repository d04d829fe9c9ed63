# Generates the rule-variant scenarios from trade-assurance-2014.ron and quick.ron.
# Each variant differs from its base only in its rules, so a comparison on the
# same seed isolates the rule. Run from the repository root after changing a
# base scenario, then refresh the golden digests.

world = open('scenarios/trade-assurance-2014.ron').read()
# Take the world (suppliers, buyers, supplier_types) of the launch scenario at one tenth scale.
start = world.index('    suppliers: [')
end = world.index('    rules: (')
body = world[start:end]
body = body.replace('count: 100000,', 'count: 10000,').replace('count: 5000,', 'count: 500,')
body = body.replace('count: 300000,', 'count: 30000,').replace('count: 400000,', 'count: 40000,')
body = body.replace('about 1,000,000\n        // buyers in all', 'about 100,000\n        // buyers in all (one tenth of the launch scenario)')
rules_start = world.index('    rules: (')
rules = world[rules_start:]
variants = {
 'release-at-contract': ('Releases the deposit to the supplier at contract, to fund production,\n// instead of holding it until the buyer accepts.', 'deposit_release: AtAcceptance,', 'deposit_release: AtContract,'),
 'deposit-only-refunds': ('Refunds only the deposit on a justified claim, instead of everything\n// the buyer paid.', 'refund_scope: OrderValue,', 'refund_scope: Deposit,'),
 'strict-vetting': ('Vets strictly: 95% on time, at most 5% disputes and 4% refunds, 80%\n// answered inquiries, and at least five orders in the window.', None, None),
}
for name, (what, old, new) in variants.items():
    r = rules
    if old:
        assert old in r
        r = r.replace(old, new + '   // the variant')
    else:
        r = r.replace('vetting_min_orders: 3,', 'vetting_min_orders: 5,   // the variant')
        r = r.replace("""            min_on_time_rate: 0.9,
            max_dispute_rate: 0.1,
            max_refund_rate: 0.08,
            min_response_rate: 0.6,""", """            min_on_time_rate: 0.95,   // the variant
            max_dispute_rate: 0.05,
            max_refund_rate: 0.04,
            min_response_rate: 0.8,""")
    header = f"""// Rule variant "{name}" of the launch program: the launch world of
// trade-assurance-2014.ron at one tenth of its size (10,500 suppliers, 100,000
// buyers, one year), with the launch rules except one change.
//
// The variant: {what}
//
// Compare it with launch-tenth.ron (the same world and seed under the launch
// rules): the population, the inquiries and every order's luck are the same,
// so differences come from the rule. Comments on the world's parameters
// (seed fact, reference value or assumption) are those of
// trade-assurance-2014.ron.
Scenario(
    name: "{name}",
    seed: 2014,
    start_date: "2014-05-01",
    horizon_days: 365,
    currency: "USD",

"""
    open(f'scenarios/{name}.ron', 'w').write(header + body + r)
base_header = """// The launch program (trade-assurance-2014.ron) at one tenth of its size:
// 10,500 suppliers, 100,000 buyers, one year, launch rules. The baseline the
// rule variants (release-at-contract.ron, deposit-only-refunds.ron,
// strict-vetting.ron) are compared with: same world, same seed.
// Comments on parameters are those of trade-assurance-2014.ron.
Scenario(
    name: "launch-tenth",
    seed: 2014,
    start_date: "2014-05-01",
    horizon_days: 365,
    currency: "USD",

"""
open('scenarios/launch-tenth.ron','w').write(base_header + body + rules)

# quick.ron with the deposit released at contract: the README's compare example.
quick = open('scenarios/quick.ron').read()
first_code = quick.index('Scenario(')
quick_header = """// quick.ron with one rule changed: escrow releases the deposit to the
// supplier at contract, to fund production, instead of holding it until the
// buyer accepts. The rule-variant of the README's policy-analysis example:
//   escrowsim compare scenarios/quick.ron scenarios/quick-release-at-contract.ron --replications 20
// Everything else, including the seed, is quick.ron's, so the two policies
// face the same buyers, suppliers and luck (common random numbers).
"""
variant = quick[first_code:].replace('name: "quick",', 'name: "quick-release-at-contract",')
old = 'deposit_release: AtAcceptance,       // seed: held until the buyer is satisfied'
assert old in variant
variant = variant.replace(old, 'deposit_release: AtContract,         // the variant: released at contract to fund production')
open('scenarios/quick-release-at-contract.ron', 'w').write(quick_header + variant)
