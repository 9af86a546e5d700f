// The vocabularies of docs/design.md, Domain (the server validates; these
// drive forms).
export const CONDITIONS = [
  "osteoarthritis", "meniscus_tear", "acl_tear", "acl_sprain", "mcl_sprain", "mcl_tear",
  "lcl_sprain", "pcl_tear", "patellofemoral_syndrome", "patellar_tendinopathy",
  "chondral_defect", "ligament_laxity", "instability", "gout", "patellar_dislocation", "other",
];

export const STAGES: { name: string; kinds: string[] }[] = [
  { name: "Stage 1", kinds: ["otc_nsaid", "anti_inflammatory_diet", "exercise", "weight_loss"] },
  { name: "Stage 2", kinds: ["rx_nsaid", "supplement", "acupuncture"] },
  {
    name: "Stage 3",
    kinds: [
      "physical_therapy", "brace", "cane", "corticosteroid_injection", "hyaluronic_acid_injection",
      "dextrose_prolotherapy", "prp", "bone_marrow_aspirate", "bone_marrow_concentrate",
      "adipose_msc", "culture_expanded_msc",
    ],
  },
  {
    name: "Surgery",
    kinds: [
      "arthroscopy", "meniscectomy", "meniscus_repair", "acl_reconstruction",
      "partial_knee_replacement", "total_knee_replacement",
    ],
  },
];

export function stageOf(kind: string): number {
  return STAGES.findIndex((s) => s.kinds.includes(kind));
}

export const INJECTIONS = new Set([
  "corticosteroid_injection", "hyaluronic_acid_injection", "dextrose_prolotherapy", "prp",
  "bone_marrow_aspirate", "bone_marrow_concentrate", "adipose_msc", "culture_expanded_msc",
]);

export const SITES = [
  "intra_articular", "mcl", "lcl", "patellar_tendon", "quadriceps_tendon", "pes_anserine",
  "coronary_ligaments", "iliotibial_band", "medial_retinaculum", "lateral_retinaculum",
  "hamstring_insertions", "fibular_head",
];

export const SITE_LABELS: Record<string, string> = {
  intra_articular: "Intra-articular (joint space)",
  mcl: "Medial collateral ligament",
  lcl: "Lateral collateral ligament",
  patellar_tendon: "Patellar tendon",
  quadriceps_tendon: "Quadriceps tendon",
  pes_anserine: "Pes anserine",
  coronary_ligaments: "Coronary ligaments",
  iliotibial_band: "Iliotibial band",
  medial_retinaculum: "Medial retinaculum",
  lateral_retinaculum: "Lateral retinaculum",
  hamstring_insertions: "Hamstring insertions",
  fibular_head: "Fibular head",
};

export const SEXES = ["female", "male", "other", "unknown"];
export const SWELLING = ["none", "mild", "marked"];
export const DEFORMITY = ["none", "varus", "valgus"];
export const PAIN_AT_REST = ["none", "mild", "moderate", "severe"];
export const EXAM_FLAGS = [
  "locking", "unable_to_straighten", "unable_to_bend", "instability", "recent_trauma_pop",
];
export const KNEES = ["left", "right"] as const;
