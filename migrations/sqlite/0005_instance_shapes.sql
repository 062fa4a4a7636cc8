-- Instance shapes and GPU architectures (issue #12).
-- A price belongs to an instance of N GPUs joined by a link; the unit stays USD per GPU-hour, and a
-- group of n GPUs is priced only from instances with at least n of them. Rows recorded before
-- shapes were kept are taken as one-GPU instances and flagged shape_assumed = 1, except the seed
-- rows whose shape the reference gives (updated below from seed/prices.json).
ALTER TABLE gpu ADD COLUMN architecture TEXT CHECK (architecture IS NULL OR length(architecture) BETWEEN 1 AND 64);
ALTER TABLE gpu ADD COLUMN compute_capability TEXT CHECK (compute_capability IS NULL OR length(compute_capability) BETWEEN 3 AND 16);

UPDATE gpu SET architecture = 'turing', compute_capability = 'sm_75' WHERE slug = 't4' AND architecture IS NULL;
UPDATE gpu SET architecture = 'volta', compute_capability = 'sm_70' WHERE slug = 'v100-sxm2-16gb' AND architecture IS NULL;
UPDATE gpu SET architecture = 'volta', compute_capability = 'sm_70' WHERE slug = 'v100-sxm2-32gb' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ampere', compute_capability = 'sm_86' WHERE slug = 'a10' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ampere', compute_capability = 'sm_86' WHERE slug = 'a10g' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ampere', compute_capability = 'sm_86' WHERE slug = 'a40' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ada', compute_capability = 'sm_89' WHERE slug = 'l4' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ada', compute_capability = 'sm_89' WHERE slug = 'l40s' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ampere', compute_capability = 'sm_80' WHERE slug = 'a100-40gb-pcie' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ampere', compute_capability = 'sm_80' WHERE slug = 'a100-40gb-sxm' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ampere', compute_capability = 'sm_80' WHERE slug = 'a100-80gb-pcie' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ampere', compute_capability = 'sm_80' WHERE slug = 'a100-80gb-sxm' AND architecture IS NULL;
UPDATE gpu SET architecture = 'hopper', compute_capability = 'sm_90' WHERE slug = 'h100-pcie' AND architecture IS NULL;
UPDATE gpu SET architecture = 'hopper', compute_capability = 'sm_90' WHERE slug = 'h100-sxm' AND architecture IS NULL;
UPDATE gpu SET architecture = 'hopper', compute_capability = 'sm_90' WHERE slug = 'h100-nvl' AND architecture IS NULL;
UPDATE gpu SET architecture = 'hopper', compute_capability = 'sm_90' WHERE slug = 'h200-sxm' AND architecture IS NULL;
UPDATE gpu SET architecture = 'blackwell', compute_capability = 'sm_100' WHERE slug = 'b200' AND architecture IS NULL;
UPDATE gpu SET architecture = 'blackwell', compute_capability = 'sm_100' WHERE slug = 'gb200' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ampere', compute_capability = 'sm_86' WHERE slug = 'rtx-3090' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ada', compute_capability = 'sm_89' WHERE slug = 'rtx-4090' AND architecture IS NULL;
UPDATE gpu SET architecture = 'blackwell', compute_capability = 'sm_120' WHERE slug = 'rtx-5090' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ampere', compute_capability = 'sm_86' WHERE slug = 'rtx-a6000' AND architecture IS NULL;
UPDATE gpu SET architecture = 'ada', compute_capability = 'sm_89' WHERE slug = 'rtx-6000-ada' AND architecture IS NULL;
UPDATE gpu SET architecture = 'cdna2', compute_capability = 'gfx90a' WHERE slug = 'mi250x' AND architecture IS NULL;
UPDATE gpu SET architecture = 'cdna3', compute_capability = 'gfx942' WHERE slug = 'mi300x' AND architecture IS NULL;
UPDATE gpu SET architecture = 'cdna3', compute_capability = 'gfx942' WHERE slug = 'mi325x' AND architecture IS NULL;
UPDATE gpu SET architecture = 'gaudi2', compute_capability = 'gaudi2' WHERE slug = 'gaudi2' AND architecture IS NULL;
UPDATE gpu SET architecture = 'gaudi3', compute_capability = 'gaudi3' WHERE slug = 'gaudi3' AND architecture IS NULL;
UPDATE gpu SET architecture = 'volta', compute_capability = 'sm_70' WHERE slug = 'v100-pcie-16gb' AND architecture IS NULL;
UPDATE gpu SET architecture = 'volta', compute_capability = 'sm_70' WHERE slug = 'v100-pcie-32gb' AND architecture IS NULL;
UPDATE gpu SET architecture = 'cdna2', compute_capability = 'gfx90a' WHERE slug = 'mi250x-gcd' AND architecture IS NULL;
UPDATE gpu SET architecture = 'hopper', compute_capability = 'sm_90' WHERE slug = 'gh200' AND architecture IS NULL;

ALTER TABLE gpu_price ADD COLUMN gpus_per_instance INTEGER NOT NULL DEFAULT 1 CHECK (gpus_per_instance BETWEEN 1 AND 64);
ALTER TABLE gpu_price ADD COLUMN link TEXT CHECK (link IS NULL OR link IN ('none', 'pcie', 'nvlink', 'nvlink-bridge', 'xgmi', 'other'));
ALTER TABLE gpu_price ADD COLUMN shape_assumed INTEGER NOT NULL DEFAULT 1 CHECK (shape_assumed IN (0, 1));

UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p4d.24xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p4de.24xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p5.48xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p5.4xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p5en.48xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p6-b200.48xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g5.xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a10g');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g5.12xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a10g');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g5.48xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a10g');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g6.xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l4');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g6.12xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l4');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g6.48xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l4');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g6e.xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l40s');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g6e.12xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l40s');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g6e.48xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l40s');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g4dn.xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 't4');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p3.2xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'v100-sxm2-16gb');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p3dn.24xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'v100-sxm2-32gb');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a2-highgpu-1g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a2-highgpu-8g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a2-ultragpu-1g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a2-ultragpu-8g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a3-highgpu-1g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a3-highgpu-8g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'g2-standard-4' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l4');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'g2-standard-48' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l4');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'g2-standard-96' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l4');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a3-megagpu-8g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_ND96asr_v4' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_ND96amsr_A100_v4' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_ND96isr_H100_v5' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_NC24ads_A100_v4' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-pcie');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_NC40ads_H100_v5' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-nvl');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'nvlink-bridge', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_NC80adis_H100_v5' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-nvl');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_NV36ads_A10_v5' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a10');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_NC4as_T4_v3' AND gpu_id = (SELECT id FROM gpu WHERE slug = 't4');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_NC6s_v3' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'v100-pcie-16gb');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_ND40rs_v2' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'v100-sxm2-32gb');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '8x NVIDIA B200 SXM6' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '1x NVIDIA B200 SXM6' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '8x NVIDIA H100 SXM' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '1x NVIDIA H100 SXM' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '1x NVIDIA H100 PCIe' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-pcie');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '8x NVIDIA A100 SXM 80 GB' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '8x NVIDIA A100 SXM 40 GB' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '4x NVIDIA A6000' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-a6000');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '1x NVIDIA A10' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a10');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '8x NVIDIA Tesla V100' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'v100-sxm2-16gb');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '1x NVIDIA GH200' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'gh200');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = 'gpu_1x_a6000' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-a6000');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = 'gpu_8x_a100' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = 'gpu_8x_v100' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'v100-sxm2-16gb');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'H100 SXM (Community Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'H100 SXM (Secure Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'H100 PCIe (Community Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-pcie');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'H100 PCIe (Secure Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-pcie');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'H100 NVL (Community Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-nvl');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'H100 NVL (Secure Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-nvl');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'H200 (Community Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'H200 (Secure Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'B200 (Community Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'B200 (Secure Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'A100 SXM (Community Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'A100 SXM (Secure Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'A100 PCIe (Community Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-pcie');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'A100 PCIe (Secure Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-pcie');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'L40S (Community Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l40s');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'L40S (Secure Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l40s');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'RTX 4090 (Community Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-4090');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = 'RTX 4090 (Secure Cloud)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-4090');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = '1x_A100-80GB_SECURE' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-pcie');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'RunPod' AND instance = '1x_A100-80GB-SXM_SECURE' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'CoreWeave' AND instance = 'NVIDIA GB200 NVL72 (on-demand, North America)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'gb200');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'CoreWeave' AND instance = 'NVIDIA HGX B200 (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'CoreWeave' AND instance = 'NVIDIA HGX H100 (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'CoreWeave' AND instance = 'NVIDIA HGX H200 (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'CoreWeave' AND instance = 'NVIDIA A100 (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'CoreWeave' AND instance = 'NVIDIA L40S (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l40s');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'CoreWeave' AND instance = 'NVIDIA GH200' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'gh200');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '1x-H100_SXM' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '1x-H200' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '8x-H200' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'nvlink-bridge', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '2x-H100_NVL' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-nvl');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '1x-A100_SXM4' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '2x-L40S' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l40s');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '1x-A40' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a40');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '2x-RTX_A6000' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-a6000');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '2x-RTX_6000Ada' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-6000-ada');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '1x-RTX_5090' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-5090');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '1x-RTX_4090' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-4090');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '1x-RTX_3090' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-3090');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '2x-A10' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a10');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = '1x-Tesla_V100' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'v100-sxm2-16gb');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vast.ai' AND instance = 'H100 SXM median of verified 1x offers' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Nebius' AND instance = 'HGX H100' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Nebius' AND instance = 'HGX H200' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Nebius' AND instance = 'HGX B200' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Nebius' AND instance = 'L40S (Intel)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l40s');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '4x NVIDIA B200 SXM6' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '2x NVIDIA B200 SXM6' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '4x NVIDIA H100 SXM' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Lambda' AND instance = '2x NVIDIA H100 SXM' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Crusoe' AND instance = 'NVIDIA H200 141GB HGX (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Crusoe' AND instance = 'NVIDIA H100 80GB HGX (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Crusoe' AND instance = 'NVIDIA A100 80GB SXM (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'xgmi', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Crusoe' AND instance = 'AMD MI300X 192GB (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'mi300x');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Crusoe' AND instance = 'NVIDIA A100 80GB PCIe (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-pcie');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Crusoe' AND instance = 'NVIDIA L40S 48GB (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l40s');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Nebius' AND instance = 'gpu-h100-sxm_8gpu-128vcpu-1600gb' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Nebius' AND instance = 'gpu-h200-sxm_8gpu-128vcpu-1600gb' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Nebius' AND instance = 'gpu-b200-sxm_8gpu-160vcpu-1792gb' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p3.8xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'v100-sxm2-16gb');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'p3.16xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'v100-sxm2-16gb');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'AWS' AND instance = 'g4dn.12xlarge' AND gpu_id = (SELECT id FROM gpu WHERE slug = 't4');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a2-highgpu-2g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a2-highgpu-4g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 16, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a2-megagpu-16g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-40gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a2-ultragpu-2g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a2-ultragpu-4g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a3-highgpu-2g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'a3-highgpu-4g' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'GCP' AND instance = 'g2-standard-24' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'l4');
UPDATE gpu_price SET gpus_per_instance = 2, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_NC48ads_A100_v4' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-pcie');
UPDATE gpu_price SET gpus_per_instance = 4, link = 'pcie', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Azure' AND instance = 'Standard_NC96ads_A100_v4' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-pcie');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Hyperstack' AND instance = 'NVIDIA B200' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'b200');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Hyperstack' AND instance = 'NVIDIA H200 SXM' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h200-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Hyperstack' AND instance = 'NVIDIA H100 SXM' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-sxm');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'nvlink', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Hyperstack' AND instance = 'NVIDIA A100 SXM' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-sxm');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Hyperstack' AND instance = 'NVIDIA H100 (PCIe)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'h100-pcie');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Hyperstack' AND instance = 'NVIDIA A100 (PCIe 80GB)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'a100-80gb-pcie');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Hyperstack' AND instance = 'NVIDIA A6000' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'rtx-a6000');
UPDATE gpu_price SET gpus_per_instance = 1, link = 'none', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'DigitalOcean' AND instance = 'gpu-mi300x1-192gb' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'mi300x');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'xgmi', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'TensorWave' AND instance = 'MI300X (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'mi300x');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'xgmi', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'TensorWave' AND instance = 'MI325X (on-demand)' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'mi325x');
UPDATE gpu_price SET gpus_per_instance = 8, link = 'xgmi', shape_assumed = 0 WHERE origin = 'seed' AND provider = 'Vultr' AND instance = 'vbm-256c-2048gb-8-mi300x-gpu' AND gpu_id = (SELECT id FROM gpu WHERE slug = 'mi300x');

-- "Current" is now the latest price per (GPU, provider, pricing model, instance size): a provider's
-- 1-GPU and 8-GPU shapes are different offers.
DROP VIEW current_gpu_price;
DROP TRIGGER gpu_price_current_after_insert;
DROP TRIGGER gpu_price_current_after_delete;
DROP TRIGGER gpu_price_current_after_update;
DROP TABLE gpu_price_current;
CREATE TABLE gpu_price_current (
    gpu_id INTEGER NOT NULL REFERENCES gpu(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    pricing_model TEXT NOT NULL,
    gpus_per_instance INTEGER NOT NULL,
    as_of TEXT NOT NULL,
    PRIMARY KEY (gpu_id, provider, pricing_model, gpus_per_instance)
) WITHOUT ROWID;
INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, gpus_per_instance, as_of)
SELECT gpu_id, provider, pricing_model, gpus_per_instance, max(as_of) FROM gpu_price GROUP BY gpu_id, provider, pricing_model, gpus_per_instance;

CREATE TRIGGER gpu_price_current_after_insert AFTER INSERT ON gpu_price BEGIN
    INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, gpus_per_instance, as_of)
    VALUES (NEW.gpu_id, NEW.provider, NEW.pricing_model, NEW.gpus_per_instance, NEW.as_of)
    ON CONFLICT(gpu_id, provider, pricing_model, gpus_per_instance) DO UPDATE SET as_of = max(as_of, excluded.as_of);
END;

CREATE TRIGGER gpu_price_current_after_delete AFTER DELETE ON gpu_price BEGIN
    DELETE FROM gpu_price_current WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model
        AND gpus_per_instance = OLD.gpus_per_instance;
    INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, gpus_per_instance, as_of)
    SELECT gpu_id, provider, pricing_model, gpus_per_instance, max(as_of) FROM gpu_price
    WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model AND gpus_per_instance = OLD.gpus_per_instance
    GROUP BY gpu_id, provider, pricing_model, gpus_per_instance;
END;

CREATE TRIGGER gpu_price_current_after_update AFTER UPDATE OF gpu_id, provider, pricing_model, gpus_per_instance, as_of ON gpu_price BEGIN
    DELETE FROM gpu_price_current WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model
        AND gpus_per_instance = OLD.gpus_per_instance;
    INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, gpus_per_instance, as_of)
    SELECT gpu_id, provider, pricing_model, gpus_per_instance, max(as_of) FROM gpu_price
    WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model AND gpus_per_instance = OLD.gpus_per_instance
    GROUP BY gpu_id, provider, pricing_model, gpus_per_instance;
    INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, gpus_per_instance, as_of)
    VALUES (NEW.gpu_id, NEW.provider, NEW.pricing_model, NEW.gpus_per_instance, NEW.as_of)
    ON CONFLICT(gpu_id, provider, pricing_model, gpus_per_instance) DO UPDATE SET as_of = max(as_of, excluded.as_of);
END;

CREATE VIEW current_gpu_price AS
SELECT p.* FROM gpu_price_current c
CROSS JOIN gpu_price p ON p.gpu_id = c.gpu_id AND p.provider = c.provider AND p.pricing_model = c.pricing_model
    AND p.gpus_per_instance = c.gpus_per_instance AND p.as_of = c.as_of;

DROP INDEX gpu_price_latest;
CREATE INDEX gpu_price_latest ON gpu_price(gpu_id, provider, pricing_model, gpus_per_instance, as_of);
