<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Hook;

use Drupal\Core\Hook\Attribute\Hook;
use Drupal\faq_manager\FaqRepository;
use Drupal\faq_manager\HelpfulnessTracker;
use Drupal\node\NodeInterface;

/**
 * Validates FAQ entries on save and cleans up after them on delete.
 */
final class FaqManagerEntityHooks {

  /**
   * Constructs a new FaqManagerEntityHooks object.
   */
  public function __construct(
    private readonly HelpfulnessTracker $helpfulnessTracker,
  ) {}

  /**
   * Adds the unique-question check to the node entity type.
   *
   * @param \Drupal\Core\Entity\EntityTypeInterface[] $entity_types
   *   The entity type definitions, keyed by entity type ID.
   */
  #[Hook('entity_type_alter')]
  public function addUniqueQuestionConstraint(array &$entity_types): void {
    if (isset($entity_types['node'])) {
      $entity_types['node']->addConstraint('FaqUniqueQuestion');
    }
  }

  /**
   * Forgets the votes of an FAQ entry that is deleted.
   */
  #[Hook('node_delete')]
  public function deleteVotes(NodeInterface $node): void {
    if ($node->bundle() === FaqRepository::BUNDLE) {
      $this->helpfulnessTracker->forget((int) $node->id());
    }
  }

}
