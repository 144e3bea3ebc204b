import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDB } from "@aws-sdk/client-dynamodb";

const s3 = new S3Client({ region: "eu-central-1" });
const db = new DynamoDB({ region: "eu-central-1" });

export async function save(id, body) {
  const params = {
    Bucket: "synthcoreai-documents",
    Key: `docs/${id}.json`,
    Body: body,
  };
  await s3.send(new PutObjectCommand(params));
  const item = { TableName: "synthcoreai-documents", Item: { id: { S: id } } };
  await db.putItem(item);
}
