<?php

declare(strict_types=1);

namespace Drupal\member_directory;

use Drupal\Core\Cache\CacheableMetadata;
use Drupal\user\UserInterface;

/**
 * Turns a user account into the render array of a member card component.
 */
class MemberCardBuilder {

  public function __construct(
    protected readonly DirectoryVisibility $visibility,
  ) {}

  /**
   * Builds the card of one member.
   *
   * @param \Drupal\user\UserInterface $member
   *   The member to show.
   * @param bool $with_contact
   *   Whether to fill the contact slot, when the viewer is allowed to see it.
   */
  public function build(UserInterface $member, bool $with_contact = FALSE): array {
    $expertise = [];
    foreach ($member->get('field_expertise') as $item) {
      $expertise[] = $item->value;
    }

    $card = [
      '#type' => 'component',
      '#component' => 'member_directory:member-card',
      '#props' => [
        'name' => $member->getDisplayName(),
        'initials' => $this->initials($member->getDisplayName()),
        'job_title' => $member->get('field_job_title')->value ?? '',
        'url' => $member->toUrl()->toString(),
        'expertise' => $expertise,
      ],
    ];
    if ($with_contact && $this->visibility->canSeeContactDetails($member) && !$member->get('field_phone')->isEmpty()) {
      $card['#slots']['contact'] = $member->get('field_phone')->view([
        'type' => 'member_directory_masked_telephone',
        'label' => 'hidden',
      ]);
    }

    $metadata = CacheableMetadata::createFromObject($member)
      ->addCacheContexts(['user.permissions'])
      ->addCacheTags(['config:member_directory.settings']);
    $metadata->applyTo($card);
    return $card;
  }

  /**
   * Returns up to two initials for the avatar placeholder.
   */
  protected function initials(string $name): string {
    $words = preg_split('/[\s._-]+/u', trim($name), -1, PREG_SPLIT_NO_EMPTY) ?: [];
    $letters = array_map(static fn (string $word): string => mb_strtoupper(mb_substr($word, 0, 1)), array_slice($words, 0, 2));
    return implode('', $letters);
  }

}
